"""The relay's HTTP API, versioned under ``/v1``; one module per resource."""
