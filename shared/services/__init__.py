"""The service layer: one module per family of operations; each operation is one transaction, then
its events."""
