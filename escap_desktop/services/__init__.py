"""The use cases: each opens a unit of work, applies the domain's rules and orchestrates the
store, sync, documents and exports. The GUI and the command line call only these (and core)."""
