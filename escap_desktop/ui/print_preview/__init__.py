"""The print preview: a PDF shown from memory, printed, saved or opened only when asked."""
