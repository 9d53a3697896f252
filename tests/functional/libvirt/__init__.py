"""Functional tests of the libvirt driver with a real libvirtd and QEMU."""
