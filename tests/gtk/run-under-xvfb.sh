#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-under-xvfb.sh COMMAND [ARGS...]: runs a GTK test on its own Xvfb
# server and session bus, and exits with the command's status.
#
# Xvfb picks a free display itself and writes its number to a pipe
# (-displayfd): tests started together, here or by other users of the
# machine, never race for a display as `xvfb-run -a` can. GTK draws with
# cairo, with GL disabled (Xvfb has none, and Mesa's EGL would keep what
# it loads, which the sanitizers report), and without the accessibility
# bus; the session bus is the one Gtk.Application registers on.
set -eu

dir=$(mktemp -d "${TMPDIR:-/tmp}/gorm-xvfb.XXXXXX")
xvfb_pid=
cleanup () {
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkfifo "$dir/display"
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset 3>"$dir/display" \
  >"$dir/xvfb.log" 2>&1 &
xvfb_pid=$!
if ! read -r display <"$dir/display"; then
  echo "run-under-xvfb.sh: Xvfb did not start:" >&2
  cat "$dir/xvfb.log" >&2
  exit 1
fi

export DISPLAY=":$display"
export GDK_BACKEND=x11
export GSK_RENDERER=cairo
export GDK_DEBUG=gl-disable
export GTK_A11Y=none
export NO_AT_BRIDGE=1
# Each run has its own settings, in memory.
export GSETTINGS_BACKEND=memory
export XDG_RUNTIME_DIR="$dir"

# Under the sanitizers, the leaks of the libraries below GTK are
# suppressed too (tests/gtk/lsan.supp), beside libgorm's own list.
supp=
options=
old_ifs=$IFS
IFS=:
for option in ${LSAN_OPTIONS:-}; do
  case "$option" in
    suppressions=*) supp=${option#suppressions=} ;;
    *) options="$options:$option" ;;
  esac
done
IFS=$old_ifs
if [ -n "$supp" ]; then
  cat "$supp" "$(dirname "$0")/lsan.supp" >"$dir/lsan.supp"
  export LSAN_OPTIONS="suppressions=$dir/lsan.supp$options"
fi

status=0
dbus-run-session -- "$@" || status=$?
exit "$status"
