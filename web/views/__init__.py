"""One view module per page or resource; each defines a blueprint `bp`."""
