"""crashdump server: triggers crash dumps (NMI) through the compute API."""
