#!/usr/bin/env bash
# Define, start and remove test guests built by build-guest.sh.
# Usage:
#   domain.sh define NAME [--uuid UUID] [--project P] [--user U] [--locked]
#                         [--nova] [--panic-device] [--memory MIB]
#                         [--vcpus N] [--initrd FILE] [--cmdline TEXT]
#       Define a persistent domain of type 'qemu' (software emulation: works
#       where /dev/kvm is missing or has no hardware behind it), booting the
#       guest kernel directly, its serial console logged to
#       $CRASHDUMP_GUEST_LOGS/NAME.log. --project/--user/--locked write
#       crashdump's owner metadata (with --nova: Nova's <nova:owner> instead).
#       --panic-device adds an ISA pvpanic device, so that with
#       on_crash=preserve libvirt reports the panicked guest as crashed.
#       --initrd boots another initramfs (build-marker-guest.sh's), --cmdline
#       appends to the kernel command line.
#       Prints the domain's UUID. Redefining an existing NAME replaces it.
#   domain.sh start NAME [TIMEOUT]   start; wait until the guest is ready.
#   domain.sh destroy NAME           power off (no error when it is off).
#   domain.sh remove NAME            destroy, undefine, delete its log.
#   domain.sh remove-all PREFIX      remove every domain named PREFIX*.
set -euo pipefail
source "$(dirname "$0")/common.sh"

READY_MARKER='crashdump-guest: ready'
virsh_() { virsh -q -c "$LIBVIRT_URI" "$@"; }

define() {
    local name=$1; shift
    local uuid='' project='' user='' locked='' nova='' panic='' memory=160
    local vcpus=1 initrd=$CRASHDUMP_GUEST_CACHE/initramfs.img extra=
    while [ $# -gt 0 ]; do
        case $1 in
            --uuid) uuid=$2; shift ;;
            --project) project=$2; shift ;;
            --user) user=$2; shift ;;
            --locked) locked=true ;;
            --nova) nova=1 ;;
            --panic-device) panic=1 ;;
            --memory) memory=$2; shift ;;
            --vcpus) vcpus=$2; shift ;;
            --initrd) initrd=$2; shift ;;
            --cmdline) extra=$2; shift ;;
            *) die "unknown option $1" ;;
        esac
        shift
    done
    local cache=$CRASHDUMP_GUEST_CACHE log=$CRASHDUMP_GUEST_LOGS/$name.log
    [ -s "$cache/vmlinuz" ] && [ -s "$initrd" ] ||
        die "no guest in $cache; run build-guest.sh first"
    mkdir -p "$CRASHDUMP_GUEST_LOGS"
    local meta=''
    if [ -n "$nova" ]; then
        meta="<nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.1'>
      <nova:name>$name</nova:name>
      <nova:owner>
        <nova:user uuid='$user'>$user</nova:user>
        <nova:project uuid='$project'>$project</nova:project>
      </nova:owner>
    </nova:instance>"
    elif [ -n "$project$locked" ]; then
        meta="<crashdump:server xmlns:crashdump='urn:crashdump:libvirt:1.0'"
        [ -n "$project" ] && meta+=" project='$project'"
        [ -n "$user" ] && meta+=" user='$user'"
        [ -n "$locked" ] && meta+=" locked='true'"
        meta+="/>"
    fi
    local xml
    xml=$(mktemp)
    cat > "$xml" <<XML
<domain type='qemu'>
  <name>$name</name>
  ${uuid:+<uuid>$uuid</uuid>}
  <metadata>
    $meta
  </metadata>
  <memory unit='MiB'>$memory</memory>
  <vcpu>$vcpus</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$cache/vmlinuz</kernel>
    <initrd>$initrd</initrd>
    <cmdline>console=ttyS0 panic=0 quiet${extra:+ $extra}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>${panic:+preserve}${panic:-destroy}</on_crash>
  <devices>
    <serial type='file'>
      <source path='$log'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='$log'/>
      <target type='serial' port='0'/>
    </console>
    ${panic:+<panic model='isa'/>}
    <memballoon model='none'/>
  </devices>
</domain>
XML
    if virsh_ domstate "$name" >/dev/null 2>&1; then
        virsh_ destroy "$name" >/dev/null 2>&1 || true
        virsh_ undefine "$name" >/dev/null
    fi
    virsh_ define "$xml" >/dev/null || { rm -f "$xml"; die "defining $name failed"; }
    rm -f "$xml"
    virsh_ domuuid "$name"
}

start() {
    local name=$1 timeout=${2:-60}
    local log=$CRASHDUMP_GUEST_LOGS/$name.log
    rm -f "$log"
    virsh_ start "$name" >/dev/null
    wait_until "$timeout" grep -qF "$READY_MARKER" "$log" 2>/dev/null ||
        die "guest $name not ready after ${timeout}s; console log: $log"
}

destroy() {
    [ "$(virsh_ domstate "$1" 2>/dev/null)" = "shut off" ] && return 0
    virsh_ destroy "$1" >/dev/null 2>&1 || true
}

remove() {
    virsh_ domstate "$1" >/dev/null 2>&1 || { rm -f "$CRASHDUMP_GUEST_LOGS/$1.log"; return 0; }
    destroy "$1"
    virsh_ undefine "$1" >/dev/null 2>&1 || true
    rm -f "$CRASHDUMP_GUEST_LOGS/$1.log"
}

case ${1:-} in
    define) shift; define "$@" ;;
    start) shift; start "$@" ;;
    destroy) destroy "$2" ;;
    remove) remove "$2" ;;
    remove-all)
        for dom in $(virsh_ list --all --name); do
            case $dom in "$2"*) remove "$dom" ;; esac
        done ;;
    *) die "usage: $0 define|start|destroy|remove|remove-all ..." ;;
esac
