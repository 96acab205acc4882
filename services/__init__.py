"""The product's rules, one module per concern. Services never read the request or commit."""
