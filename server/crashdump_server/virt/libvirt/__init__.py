"""The libvirt compute driver: domains of one libvirt connection as servers."""
