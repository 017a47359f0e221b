"""Forms that edit one entity, with each error shown under its field."""
