#!/bin/sh
# Installs jobs-bot to run under systemd: the binary, the system user, its folders, the units,
# the env files (mode 0600, never overwritten) and an example sources.toml (if none), then
# enables the timer. Running it again changes nothing but the binary and the units.
#
#   sudo deploy/install.sh [--no-enable] [BINARY]   BINARY defaults to target/release/jobs-bot
#   sudo deploy/install.sh --uninstall [--purge]    removes the binary and units; keeps the
#                                                   data (/var/lib/jobs-bot) and the env files
#                                                   (/etc/jobs-bot) unless --purge
#   DESTDIR=/tmp/root deploy/install.sh BINARY      builds the tree under /tmp/root only: no
#                                                   user, no chown, no systemctl
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
D=${DESTDIR:-}
D=${D%/}

BIN=/usr/local/bin/jobs-bot
UNIT_DIR=/etc/systemd/system
CONF_DIR=/etc/jobs-bot
STATE_DIR=/var/lib/jobs-bot
USER_NAME=jobs-bot
UNITS="jobs-bot-ingest.service jobs-bot-ingest.timer jobs-bot-alert@.service jobs-bot-profile@.service jobs-bot-profile@.timer"

usage() {
    sed -n '2,13s/^# \{0,1\}//p' "$0"
}

mode=install
enable=yes
purge=no
binary=
while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) mode=uninstall ;;
        --purge) purge=yes ;;
        --no-enable) enable=no ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) binary=$1 ;;
    esac
    shift
done

# Acting on the real system, not on a DESTDIR tree.
live() { [ -z "$D" ]; }
systemd_up() { live && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }
say() { printf 'install.sh: %s\n' "$*"; }

# install_once SRC DEST MODE OWNER: copies SRC to DEST only if DEST does not exist.
install_once() {
    if [ -e "$2" ]; then
        say "kept existing $2"
        return
    fi
    if live; then
        install -m "$3" -o "$4" -g "$4" "$1" "$2"
    else
        install -m "$3" "$1" "$2"
    fi
    say "installed $2 (mode $3)"
}

do_install() {
    binary=${binary:-$repo/target/release/jobs-bot}
    if [ ! -x "$binary" ]; then
        echo "install.sh: no executable at $binary: run 'cargo build --release' or give its path" >&2
        exit 1
    fi
    if live; then
        if [ "$(id -u)" != 0 ]; then
            echo "install.sh: run as root (sudo), or set DESTDIR" >&2
            exit 1
        fi
        if ! getent passwd "$USER_NAME" >/dev/null; then
            useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
                --shell /usr/sbin/nologin "$USER_NAME"
            say "created system user $USER_NAME"
        fi
    fi
    install -d -m 0755 "$D/usr/local/bin" "$D$UNIT_DIR" "$D$CONF_DIR"
    install -m 0755 "$binary" "$D$BIN"
    for unit in $UNITS; do
        install -m 0644 "$here/systemd/$unit" "$D$UNIT_DIR/$unit"
    done
    install -d -m 0750 "$D$STATE_DIR" "$D$STATE_DIR/profiles"
    if live; then
        chown "$USER_NAME:$USER_NAME" "$STATE_DIR" "$STATE_DIR/profiles"
    fi
    install_once "$here/jobs-bot.env.example" "$D$CONF_DIR/jobs-bot.env" 0600 "$USER_NAME"
    install_once "$here/alert.env.example" "$D$CONF_DIR/alert.env" 0600 root
    install_once "$repo/sources.toml" "$D$STATE_DIR/sources.toml" 0640 "$USER_NAME"
    say "installed $D$BIN and the units in $D$UNIT_DIR"
    if systemd_up; then
        systemctl daemon-reload
        if [ "$enable" = yes ]; then
            systemctl enable --now jobs-bot-ingest.timer
            say "enabled jobs-bot-ingest.timer: systemctl list-timers 'jobs-bot*'"
        fi
    elif live; then
        say "systemd is not running: enable the timer later with systemctl enable --now jobs-bot-ingest.timer"
    fi
}

do_uninstall() {
    if systemd_up; then
        systemctl disable --now jobs-bot-ingest.timer 2>/dev/null || true
        for timer in $(systemctl list-units --all --plain --no-legend 'jobs-bot-profile@*.timer' | awk '{print $1}'); do
            systemctl disable --now "$timer" || true
        done
    fi
    rm -f "$D$BIN"
    for unit in $UNITS; do
        rm -f "$D$UNIT_DIR/$unit"
    done
    # Enablement links (timers.target.wants/jobs-bot-…) would dangle without their units.
    if [ -d "$D$UNIT_DIR" ]; then
        find "$D$UNIT_DIR" -type l -name 'jobs-bot-*' -exec rm -f {} +
    fi
    if [ "$purge" = yes ]; then
        rm -rf "$D$STATE_DIR" "$D$CONF_DIR"
        if live && getent passwd "$USER_NAME" >/dev/null; then
            userdel "$USER_NAME" || true
        fi
        say "removed jobs-bot, its data and its settings"
    else
        say "removed the binary and the units; kept $CONF_DIR (env files) and $STATE_DIR (data)"
    fi
    if ! live; then
        # In a DESTDIR tree, drop the folders left empty (never on the real system).
        for dir in "$D/usr/local/bin" "$D/usr/local" "$D/usr" "$D$UNIT_DIR/timers.target.wants" \
            "$D$UNIT_DIR" "$D/etc/systemd" "$D$CONF_DIR" "$D/etc" "$D/var/lib" "$D/var"; do
            rmdir "$dir" 2>/dev/null || true
        done
    fi
    if systemd_up; then
        systemctl daemon-reload
    fi
}

case $mode in
    install) do_install ;;
    uninstall) do_uninstall ;;
esac
