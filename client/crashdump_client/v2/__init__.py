"""Python API of crashdump against the compute API v2.1 (microversioned)."""
