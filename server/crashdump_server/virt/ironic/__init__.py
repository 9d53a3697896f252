"""The Ironic driver: bare-metal nodes with an instance are servers."""
