"""Small reusable widgets shared by the windows."""
