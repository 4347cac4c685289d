#!/usr/bin/env bash
# Proves the test bed: `up 3 --loss 10`, tcpdump on every replica's capture interface, replay of real captures
# from the source, then every replica must hold exactly the replayed frames, in order and unchanged, minus exactly
# the frames nft dropped on its port; replicas must have lost different frames; nothing may have left a capture
# interface; the control network must connect the replicas; `down` must remove everything and be repeatable.
#
# usage: selftest.sh [DATA_DIR]      (DATA_DIR holds pcaps/; default: ../../../shared/data from this script)
# Needs root, iproute2, nftables, tcpreplay, tcpdump. Uses its own prefix (TB_PREFIX=tbst-), so a test bed that
# is up with another prefix is left alone. Last line: "selftest: N passed, M failed"; exit 0 only if M is 0.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TB="$HERE/testbed.sh"
DATA=${1:-$HERE/../../../shared/data}
export TB_PREFIX=tbst-
export TB_NET=10.78.0
PCAPS=("$DATA/pcaps/ordinary/ftp_cwd-navigation.pcap" "$DATA/pcaps/attacks/ppa2e_arppoison.pcap"
       "$DATA/pcaps/ordinary/ndpi_netflix.pcap")
N=3
LOSS=10

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
  echo "selftest: $passed passed, $failed failed"
  ((failed == 0))
}

[[ $(id -u) -eq 0 ]] || { bad "must run as root"; finish; exit 1; }
for t in ip nft tcpreplay tcpdump; do
  command -v "$t" >/dev/null || { bad "$t not found (apt-get install iproute2 nftables tcpreplay tcpdump)"; finish; exit 1; }
done
for f in "${PCAPS[@]}"; do [[ -r "$f" ]] || { bad "capture $f not found"; finish; exit 1; }; done

WORK=$(mktemp -d /tmp/tandem-testbed-selftest.XXXXXX)
CAPTURE_PIDS=()
cleanup() {
  local p
  for p in "${CAPTURE_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  "$TB" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# One line per frame: its bytes in hex (tcpdump -xx), so frames can be compared as text, in order.
frames_hex() { # PCAP...
  local f
  for f in "$@"; do
    tcpdump -r "$f" -n -xx 2>/dev/null | awk '
      /^\t0x/ { for (i = 2; i <= NF; i++) s = s $i; next }
      { if (started) print s; s = ""; started = 1 }
      END { if (started) print s }'
  done
}

"$TB" down >/dev/null
check "down with nothing up succeeds" "$TB" down
"$TB" up "$N" --loss "$LOSS" | sed 's/^/     /'
check "up made hub, source and $N replicas" test "$(ip netns list | awk '{print $1}' | grep -cE '^tbst-(hub|src|r[0-9]+)$')" -eq $((N + 2))
check "a second up is refused" bash -c "! '$TB' up 2 >/dev/null 2>&1"
check "hub bridge never learns (ageing_time 0)" bash -c "ip -n tbst-hub -d link show hub0 | grep -q 'ageing_time 0 '"

# control network: replica 1 reaches replica 2 and 3 over TCP (a refused connection proves the path: the peer's
# kernel answered; an unreachable one would time out)
for i in 2 3; do
  check "control network: r1 reaches 10.78.0.$i" bash -c \
    "\"$TB\" exec 1 timeout 5 bash -c 'echo > /dev/tcp/10.78.0.$i/9' 2>&1 | grep -q 'Connection refused'"
done

# capture on every replica
for ((i = 1; i <= N; i++)); do
  "$TB" exec "$i" tcpdump -i cap0 -n -U -w "$WORK/r$i.pcap" 2>"$WORK/r$i.err" &
  CAPTURE_PIDS+=($!)
done
for ((i = 1; i <= N; i++)); do
  for _ in $(seq 100); do grep -q "listening on cap0" "$WORK/r$i.err" 2>/dev/null && break; sleep 0.1; done
done

"$TB" replay "${PCAPS[@]}" --pps 10000 >"$WORK/replay.txt" 2>&1 || { cat "$WORK/replay.txt"; bad "replay"; finish; exit 1; }
sent=$(awk '/Successful packets:/ {print $3}' "$WORK/replay.txt")
failed_send=$(awk '/Failed packets:/ {print $3}' "$WORK/replay.txt")
frames_hex "${PCAPS[@]}" >"$WORK/sent.hex"
check "tcpreplay sent every frame ($sent of $(wc -l <"$WORK/sent.hex"), $failed_send failed)" \
  test "$sent" -eq "$(wc -l <"$WORK/sent.hex")" -a "$failed_send" -eq 0
sleep 1
for p in "${CAPTURE_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${CAPTURE_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
CAPTURE_PIDS=()

"$TB" counters | tee "$WORK/counters.txt" | sed 's/^/     /'
for ((i = 1; i <= N; i++)); do
  read -r _ loss dropped forwarded sent_cap0 < <(awk -v r="r$i" '$1 == r' "$WORK/counters.txt")
  kdrop=$(awk '/dropped by kernel/ {print $1}' "$WORK/r$i.err")
  frames_hex "$WORK/r$i.pcap" >"$WORK/r$i.hex"
  got=$(wc -l <"$WORK/r$i.hex")
  # the replica's frames must be the sent ones with some deleted: diff may only delete
  diff "$WORK/sent.hex" "$WORK/r$i.hex" >"$WORK/r$i.diff" || true
  deleted=$(grep -c '^<' "$WORK/r$i.diff" || true)
  added=$(grep -c '^>' "$WORK/r$i.diff" || true)
  grep -E '^[0-9]+(,[0-9]+)?d' "$WORK/r$i.diff" | sed 's/d.*//' >"$WORK/r$i.lost" || true
  check "r$i: loss $loss‰, nft dropped $dropped (> 0) and forwarded $forwarded = $sent sent" \
    test "$loss" -eq "$LOSS" -a "$dropped" -gt 0 -a $((dropped + forwarded)) -eq "$sent"
  check "r$i: tcpdump holds $got frames = sent - nft drops ($((sent - dropped))), kernel dropped ${kdrop:-?}" \
    test "$got" -eq $((sent - dropped)) -a "${kdrop:-1}" -eq 0
  check "r$i: every frame unchanged and in order, only the $dropped dropped ones missing (diff: -$deleted +$added)" \
    test "$added" -eq 0 -a "$deleted" -eq "$dropped"
  check "r$i: nothing left the capture interface" test "$sent_cap0" -eq 0
done
check "replicas lost different frames" bash -c \
  "! cmp -s '$WORK/r1.lost' '$WORK/r2.lost' && ! cmp -s '$WORK/r2.lost' '$WORK/r3.lost' && ! cmp -s '$WORK/r1.lost' '$WORK/r3.lost'"

"$TB" loss 2 0 >/dev/null
check "loss can be changed per replica" bash -c "'$TB' counters | awk '\$1 == \"r2\" {exit !(\$2 == 0)} '"

# down: kills what runs inside, removes every namespace, and can be repeated
"$TB" exec 1 sleep 600 &
sleeper=$!
sleep 0.3
"$TB" down >/dev/null
check "down removed every namespace" test -z "$(ip netns list | awk '{print $1}' | grep -E '^tbst-' || true)"
check "down ended what ran inside" bash -c "! kill -0 $sleeper 2>/dev/null"
wait "$sleeper" 2>/dev/null || true
check "down again succeeds" "$TB" down
check "status says nothing is up" bash -c "'$TB' status | grep -q 'nothing up'"

finish
