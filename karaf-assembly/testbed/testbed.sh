#!/usr/bin/env bash
# Tandem network test bed: N replicas behind a hub, each with its own, independent, counted loss.
#
#   namespace  ${P}hub   bridge hub0: a hub (ageing_time 0: never learns, floods every frame to every port)
#                          ports p-src, p-r1..p-rN; loss per replica: nftables on the port towards it
#                        bridge ctl0: the replicas' control network (an ordinary learning bridge), ports c-r1..c-rN
#   namespace  ${P}src   src0 -> hub0 (tcpreplay sends here)
#   namespace  ${P}rI    cap0 -> hub0   capture interface: no address, IPv6 off, nothing may leave it
#                        ctl0 -> ctl0   control interface: ${NET}.I/24 (peer TCP between replicas)
#                        lo up (127.0.0.1 for the replica's own services)
#
# Every name lives inside the namespaces this script creates (prefix ${P}, default "tb-", from TB_PREFIX);
# nothing in the host's own namespace is created or changed except the namespaces themselves. Needs root,
# iproute2, nftables, tcpreplay (and tcpdump for the self test).
#
# usage: testbed.sh up N [--loss PERMILLE] [--loss-of I=PERMILLE]... [--mtu BYTES]
#        testbed.sh loss I|all PERMILLE         change a replica's loss (counters keep counting)
#        testbed.sh replay PCAP... [--pps N | --topspeed | --mbps M] [--loop L]
#        testbed.sh exec I|src|hub CMD [ARG...] run a command in replica I's (or the source's, the hub's) namespace
#        testbed.sh counters                    per replica: loss, frames dropped and forwarded by nft, cap0 sends
#        testbed.sh status                      what exists
#        testbed.sh down                        removes everything (kills what runs inside); never fails
# environment: TB_PREFIX (default tb-), TB_NET (first three octets of the control network, default 10.77.0)
set -Eeuo pipefail

P="${TB_PREFIX:-tb-}"
NET="${TB_NET:-10.77.0}"
HUB="${P}hub"
SRC="${P}src"
MAX_REPLICAS=200

die() { echo "testbed: $*" >&2; exit 1; }
usage() { sed -n '/^# usage:/,/^# environment:/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  local t
  for t in ip nft; do command -v "$t" >/dev/null || die "$t not found (apt-get install iproute2 nftables)"; done
}

valid_prefix() {
  [[ "$P" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$ ]] || die "TB_PREFIX '$P' must be 1-31 characters of [A-Za-z0-9_.-]"
  [[ "$NET" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "TB_NET '$NET' must be three octets, e.g. 10.77.0"
}

# Our namespaces (the prefix's only regex character is '.').
our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P//./\\.}(hub|src|r[0-9]+)$" || true
}
# Replicas are numbered 1..N without gaps.
replica_count() {
  local i=0
  while exists "${P}r$((i + 1))"; do i=$((i + 1)); done
  echo "$i"
}
exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

permille() {
  [[ "$1" =~ ^[0-9]+$ ]] && (( 10#$1 <= 1000 )) || die "loss '$1' must be a whole number of per mille, 0..1000"
  echo $((10#$1))
}

# The rules of replica I's chain: drop PERMILLE/1000 at random, count drops and what passes.
loss_rules() { # I PERMILLE
  echo "flush chain bridge tandem r$1"
  echo "add rule bridge tandem r$1 numgen random mod 1000 < $2 counter name drop_r$1 drop"
  echo "add rule bridge tandem r$1 counter name fwd_r$1"
}

cmd_up() {
  local n="" loss=0 mtu=9000
  local -A lossof=()
  while (($#)); do
    case "$1" in
      --loss) (($# >= 2)) || die "--loss needs a value"; loss=$(permille "$2"); shift 2 ;;
      --loss=*) loss=$(permille "${1#--loss=}"); shift ;;
      --loss-of) (($# >= 2)) || die "--loss-of needs I=PERMILLE"; [[ "$2" =~ ^([0-9]+)=([0-9]+)$ ]] || die "--loss-of '$2' is not I=PERMILLE"
                 lossof[${BASH_REMATCH[1]}]=$(permille "${BASH_REMATCH[2]}"); shift 2 ;;
      --mtu) (($# >= 2)) || die "--mtu needs a value"; [[ "$2" =~ ^[0-9]+$ ]] && (( $2 >= 1280 && $2 <= 65000 )) || die "--mtu '$2' must be 1280..65000"
             mtu=$2; shift 2 ;;
      -*) die "up: unknown option '$1'" ;;
      *) [[ -z "$n" ]] || die "up: one replica count, got '$n' and '$1'"; n=$1; shift ;;
    esac
  done
  [[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 && n <= MAX_REPLICAS )) || die "up: replica count '$n' must be 1..$MAX_REPLICAS"
  local i
  for i in "${!lossof[@]}"; do (( i >= 1 && i <= n )) || die "--loss-of $i: no replica $i (1..$n)"; done
  [[ -z "$(our_namespaces)" ]] || die "a test bed with prefix '$P' is already up ($(our_namespaces | tr '\n' ' ')); run down first"

  trap 'echo "testbed: up failed, removing what was made" >&2; cmd_down >/dev/null 2>&1 || true' ERR

  # namespaces: IPv6 off before any interface exists, so none ever sends a router solicitation or DAD
  local ns
  for ns in "$HUB" "$SRC" $(for ((i = 1; i <= n; i++)); do echo "${P}r$i"; done); do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      net.ipv4.ip_forward=0
  done

  # br_netfilter (loaded on many hosts; its sysctls default to 1 in every new namespace) would hand bridged IPv4
  # frames to iptables and trim them to the IP length first: Ethernet trailers and padding would not reach the
  # replicas. The hub must forward frames untouched.
  local k
  for k in iptables ip6tables arptables; do
    if ip netns exec "$HUB" test -e "/proc/sys/net/bridge/bridge-nf-call-$k"; then
      ip netns exec "$HUB" sysctl -qw "net.bridge.bridge-nf-call-$k=0"
    fi
  done

  # the hub and the control bridge
  ip -n "$HUB" link add hub0 type bridge ageing_time 0 stp_state 0 mcast_snooping 0 group_fwd_mask 0xfff8
  ip -n "$HUB" link add ctl0 type bridge stp_state 0
  ip -n "$HUB" link set hub0 mtu "$mtu" up
  ip -n "$HUB" link set ctl0 up

  # source
  ip link add p-src netns "$HUB" mtu "$mtu" type veth peer name src0 netns "$SRC" mtu "$mtu"
  ip -n "$HUB" link set p-src master hub0 up
  ip -n "$SRC" link set src0 up

  # loss: one chain per replica, reached from the bridge's forward hook by the port towards it
  {
    echo "add table bridge tandem"
    echo "add chain bridge tandem forward { type filter hook forward priority 0; policy accept; }"
    for ((i = 1; i <= n; i++)); do
      echo "add counter bridge tandem drop_r$i"
      echo "add counter bridge tandem fwd_r$i"
      echo "add chain bridge tandem r$i"
      echo "add rule bridge tandem forward oifname \"p-r$i\" jump r$i"
      loss_rules "$i" "${lossof[$i]:-$loss}"
    done
  } | ip netns exec "$HUB" nft -f -

  for ((i = 1; i <= n; i++)); do
    ns="${P}r$i"
    ip link add "p-r$i" netns "$HUB" mtu "$mtu" type veth peer name cap0 netns "$ns" mtu "$mtu"
    ip link add "c-r$i" netns "$HUB" type veth peer name ctl0 netns "$ns"
    # capture side: no address, no forwarding, no ARP answers, and a guard that counts and drops anything sent
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.cap0.forwarding=0 net.ipv4.conf.cap0.arp_ignore=8 \
      net.ipv4.conf.cap0.arp_announce=2
    ip netns exec "$ns" nft -f - <<EOF
add table netdev tandem
add chain netdev tandem cap0_out { type filter hook egress device "cap0" priority 0; policy accept; }
add rule netdev tandem cap0_out counter drop
EOF
    ip -n "$ns" addr add "$NET.$i/24" dev ctl0
    ip -n "$ns" link set cap0 up
    ip -n "$ns" link set ctl0 up
    ip -n "$HUB" link set "p-r$i" master hub0 up
    ip -n "$HUB" link set "c-r$i" master ctl0 up
  done
  trap - ERR
  echo "testbed: up: $n replicas (${P}r1..${P}r$n), capture interface cap0, control ctl0 $NET.1..$NET.$n, hub ${HUB}, source ${SRC}"
}

cmd_loss() {
  (($# == 2)) || usage
  local which=$1 pm n i
  pm=$(permille "$2")
  n=$(replica_count)
  ((n > 0)) || die "no test bed with prefix '$P' is up"
  if [[ "$which" == all ]]; then
    for ((i = 1; i <= n; i++)); do loss_rules "$i" "$pm"; done | ip netns exec "$HUB" nft -f -
  else
    [[ "$which" =~ ^[0-9]+$ ]] && exists "${P}r$which" || die "loss: no replica '$which' (1..$n)"
    loss_rules "$which" "$pm" | ip netns exec "$HUB" nft -f -
  fi
}

cmd_replay() {
  local files=() opts=() speed=0
  while (($#)); do
    case "$1" in
      --topspeed) opts+=(--topspeed); speed=$((speed + 1)); shift ;;
      --pps|--mbps|--loop) (($# >= 2)) || die "$1 needs a value"; opts+=("$1=$2"); [[ "$1" == --loop ]] || speed=$((speed + 1)); shift 2 ;;
      --pps=*|--mbps=*) opts+=("$1"); speed=$((speed + 1)); shift ;;
      --loop=*) opts+=("$1"); shift ;;
      -*) die "replay: unknown option '$1'" ;;
      *) [[ -r "$1" ]] || die "replay: cannot read '$1'"; files+=("$(readlink -f "$1")"); shift ;;
    esac
  done
  ((${#files[@]})) || die "replay: no capture file given"
  ((speed <= 1)) || die "replay: give one of --pps, --mbps, --topspeed"
  command -v tcpreplay >/dev/null || die "tcpreplay not found (apt-get install tcpreplay)"
  exists "$SRC" || die "no test bed with prefix '$P' is up"
  ip netns exec "$SRC" tcpreplay -i src0 "${opts[@]}" "${files[@]}"
}

cmd_exec() {
  (($# >= 2)) || usage
  local which=$1 ns
  shift
  case "$which" in
    src) ns=$SRC ;;
    hub) ns=$HUB ;;
    *) [[ "$which" =~ ^[0-9]+$ ]] || die "exec: '$which' is not a replica number, src or hub"; ns="${P}r$which" ;;
  esac
  exists "$ns" || die "exec: namespace $ns does not exist"
  exec ip netns exec "$ns" "$@"
}

counter_packets() { # NS FAMILY NAME -> packets
  ip netns exec "$1" nft list counter "$2" tandem "$3" 2>/dev/null | awk '/packets/ {print $2; exit}'
}
guard_packets() { # NS -> packets the cap0 egress guard dropped
  ip netns exec "$1" nft list chain netdev tandem cap0_out 2>/dev/null | awk '/counter packets/ {print $3; exit}'
}
loss_of() { # I -> permille
  ip netns exec "$HUB" nft list chain bridge tandem "r$1" 2>/dev/null | awk '/numgen random mod 1000 </ {for (i = 1; i <= NF; i++) if ($i == "<") {print $(i + 1); exit}}'
}

cmd_counters() {
  local n i
  n=$(replica_count)
  ((n > 0)) || die "no test bed with prefix '$P' is up"
  printf '%-8s %8s %10s %10s %10s\n' replica loss_pm dropped forwarded cap0_sent
  for ((i = 1; i <= n; i++)); do
    printf '%-8s %8s %10s %10s %10s\n' "r$i" "$(loss_of "$i")" "$(counter_packets "$HUB" bridge "drop_r$i")" \
      "$(counter_packets "$HUB" bridge "fwd_r$i")" "$(guard_packets "${P}r$i")"
  done
}

cmd_status() {
  local ns any=0
  for ns in $(our_namespaces); do
    any=1
    echo "== $ns (processes: $(ip netns pids "$ns" 2>/dev/null | wc -l))"
    ip -n "$ns" -br addr show | sed 's/^/   /'
  done
  if ((any == 0)); then
    echo "testbed: nothing up (prefix '$P')"
  elif exists "$HUB" && (($(replica_count) > 0)); then
    cmd_counters
  fi
}

cmd_down() {
  local ns pids
  for ns in $(our_namespaces); do
    # what was started inside by exec: TERM, then KILL after 5 s
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n "$pids" ]]; then
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 50); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [[ -z "$pids" ]] && break
        sleep 0.1
      done
      [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true
    fi
  done
  for ns in $(our_namespaces); do
    ip netns del "$ns" 2>/dev/null || true
  done
  echo "testbed: down (prefix '$P')"
  return 0
}

main() {
  (($#)) || usage
  valid_prefix
  local sub=$1
  shift
  case "$sub" in
    up) need_root; cmd_up "$@" ;;
    loss) need_root; cmd_loss "$@" ;;
    replay) need_root; cmd_replay "$@" ;;
    exec) need_root; cmd_exec "$@" ;;
    counters) need_root; cmd_counters ;;
    status) need_root; cmd_status ;;
    down) [[ $(id -u) -eq 0 ]] || die "must run as root"; cmd_down ;;
    -h|--help|help) usage ;;
    *) echo "testbed: unknown command '$sub'" >&2; usage ;;
  esac
}

main "$@"
