#!/usr/bin/env bash
# The Debian package end to end, as an admin meets it: built (contrib/deb/build.sh), checked by
# lintian, installed with dpkg, its configuration checked, the binary run as the gemhole user
# with the packaged configuration on loopback ports and its starter page fetched over Gemini
# and Gopher; then installed again over what it made, removed, and purged, checking what each
# step leaves. It installs, removes and purges the gemhole package and deletes /var/lib/gemhole
# and the gemhole user, before and after: run it as root, only where that machine is CI's.
#
#   CI=true contrib/deb/test.sh            # builds the package
#   CI=true contrib/deb/test.sh FILE.deb   # tests that one
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if [[ ${CI:-} != true || $(id -u) != 0 ]]; then
    echo "test.sh: installs and purges the gemhole package and deletes /var/lib/gemhole;" >&2
    echo "test.sh: run it as root with CI=true, on a machine where that is wanted" >&2
    exit 1
fi
missing=()
command -v lintian >/dev/null || missing+=(lintian)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

state=/var/lib/gemhole
config=/etc/gemhole/config.toml
work=$(mktemp -d)
server=
# What a run leaves, or a run before it: the package, its folders and its user.
known() { dpkg-query -W -f='${db:Status-Status}' gemhole 2>/dev/null || echo not-installed; }
clean_machine() {
    if [[ $(known) != not-installed ]]; then
        dpkg --purge gemhole >/dev/null
    fi
    rm -rf "$state"
    if getent passwd gemhole >/dev/null; then
        deluser --quiet --system gemhole >/dev/null 2>&1
    fi
    if getent group gemhole >/dev/null; then
        delgroup --quiet --system gemhole >/dev/null 2>&1
    fi
}
cleanup() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    clean_machine
    rm -rf "$work"
}
trap cleanup EXIT
clean_machine

deb=${1:-$(bash "$root/contrib/deb/build.sh" | tail -n 1)}
deb=$(realpath "$deb")
echo "package: $deb ($(du -k "$deb" | cut -f1) KiB)"

# shellcheck source=contrib/checks.sh
source "$root/contrib/checks.sh"
owner_mode() { stat -c '%U:%G %a' "$1"; }
is() { [[ $1 == "$2" ]] || { echo "  got '$1', wanted '$2'" >&2; false; }; }
contains() { grep -qF -- "$2" <<<"$1" || { echo "  no '$2' in: $1" >&2; false; }; }

# lintian reads the package as Debian's archive would; an error fails, and so does a warning.
# (It runs as root here, as CI does, and says so on a line of its own.)
lintian_out=$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1) && linted=0 || linted=$?
lintian_out=$(grep -vx 'running with root privileges is not recommended!' <<<"$lintian_out" || true)
echo "lintian: ${lintian_out:-no tags}"
check "lintian finds no error or warning" is "$linted" 0

dpkg --install "$deb" </dev/null
check "the gemhole user is made, a system user without a shell" \
    is "$(getent passwd gemhole | cut -d: -f6,7)" "$state:/usr/sbin/nologin"
check "its uid is a system one" test "$(id -u gemhole)" -lt 1000
check "gemhole is installed as /usr/bin/gemhole" is "$(command -v gemhole)" /usr/bin/gemhole
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
check "gemhole --version says the package's version" is "$(gemhole --version)" "gemhole $version"
check "the configuration is a conffile" \
    contains "$(dpkg-query -W -f='${Conffiles}' gemhole)" "$config"
check "the capsule holds the starter page, the gemhole user's" \
    is "$(owner_mode "$state/capsule/welcome.md")" "gemhole:gemhole 644"
check "the certificates folder is the gemhole user's alone, and empty" \
    is "$(owner_mode "$state/certs") $(ls -A "$state/certs")" "gemhole:gemhole 700 "
check "the manual pages are where man looks" is "$(man -w gemhole)" /usr/share/man/man1/gemhole.1.gz
check "man reads gemhole-cert(1)" contains "$(man -P cat gemhole-cert 2>/dev/null)" "--regenerate"
for file in /usr/share/bash-completion/completions/gemhole \
    /usr/share/zsh/vendor-completions/_gemhole \
    /usr/share/fish/vendor_completions.d/gemhole.fish; do
    check "$file is installed" grep -q completions "$file"
done
unit=/usr/lib/systemd/system/gemhole.service
check "the unit is installed" test -f "$unit"
check "systemd-analyze verifies the unit" systemd-analyze verify "$unit"
check "the unit is not enabled" \
    bash -c "! compgen -G '/etc/systemd/system/*.wants/gemhole.service' >/dev/null"
check "nothing runs as gemhole after the install" bash -c '! pgrep -u gemhole >/dev/null'

checked=$(gemhole --config "$config" check 2>&1) && status=0 || status=$?
check "gemhole check passes on the packaged configuration" is "$status" 0
check "and finds the starter page and nothing wrong" \
    contains "$checked" "$state/capsule: 1 page or post, 0 errors, 0 warnings"

# The binary as the unit runs it: the gemhole user, the packaged configuration, the capsule's
# folder as its working directory; on loopback ports the kernel picks, read from its log.
serve() { # log file
    (cd "$state" && exec setpriv --reuid=gemhole --regid=gemhole --init-groups --reset-env \
        /usr/bin/gemhole --config "$config" --gemini-listen 127.0.0.1:0 --gopher-listen 127.0.0.1:0) \
        2>"$1" &
    server=$!
    for _ in $(seq 100); do
        grep -q "ready;" "$1" && return
        sleep 0.1
    done
    echo "gemhole did not start:" >&2
    cat "$1" >&2
    exit 1
}
bound_port() { # log file, protocol: the port of `Gemini: ... (listening on 127.0.0.1:PORT)`
    sed -n "s/.*$2: .*(listening on 127\.0\.0\.1:\([0-9]*\)).*/\1/p" "$1"
}
stop() {
    kill "$server"
    wait "$server" || true
    server=
}
gemini() { # port, path: the whole answer
    printf 'gemini://localhost:%s%s\r\n' "$1" "$2" |
        timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername localhost -quiet 2>/dev/null
}
gopher() { # port, selector
    curl -s --max-time 10 "gopher://127.0.0.1:$1$2"
}

serve "$work/first.log"
g=$(bound_port "$work/first.log" Gemini)
p=$(bound_port "$work/first.log" Gopher)
check "the server runs as the gemhole user" is "$(ps -o user= -p "$server")" gemhole
home=$(gemini "$g" /)
check "Gemini: the home page is served" contains "$(head -n 1 <<<"$home")" "20 text/gemini"
check "Gemini: the home page has the title and links the starter" \
    bash -c "grep -qx '# A new capsule' <<<\"\$1\" && grep -q '^=> /welcome Welcome' <<<\"\$1\"" _ "$home"
check "Gemini: the starter page is served" contains "$(gemini "$g" /welcome)" "This capsule is new"
check "Gopher: the home menu links the starter" contains "$(gopher "$p" /1/)" $'1Welcome\t/welcome\t'
check "Gopher: the starter page is served" contains "$(gopher "$p" /1/welcome)" "This capsule is new"
check "Gopher: its text too" contains "$(gopher "$p" /0/welcome.txt)" "This capsule is new"
stop
check "the certificate was made by the gemhole user, its key private" \
    is "$(owner_mode "$state/certs/cert.pem") $(owner_mode "$state/certs/key.pem")" \
    "gemhole:gemhole 644 gemhole:gemhole 600"
logged=$(sed -n 's/.*certificate SHA-256 fingerprint: \([0-9A-F:]*\).*/\1/p' "$work/first.log")
shown=$(gemhole --config "$config" cert | sed -n 's/^  SHA-256 fingerprint: //p')
check "gemhole cert shows the fingerprint the server logged" is "$shown" "$logged"

# Installed again over itself, as an upgrade is: the admin's configuration, the writer's
# capsule and the certificate stay as they are.
sed -i 's/^title = "A new capsule"$/title = "Kept through upgrades"/' "$config"
echo "# Mine" >"$state/capsule/mine.gmi"
dpkg --install "$deb" </dev/null
check "an upgrade keeps the changed configuration" grep -qx 'title = "Kept through upgrades"' "$config"
check "an upgrade keeps the capsule" test -f "$state/capsule/mine.gmi"
check "an upgrade keeps the certificate" \
    is "$(gemhole --config "$config" cert | sed -n 's/^  SHA-256 fingerprint: //p')" "$logged"
serve "$work/again.log"
g=$(bound_port "$work/again.log" Gemini)
check "the server started again serves the changed title" \
    bash -c "grep -qx '# Kept through upgrades' <<<\"\$1\"" _ "$(gemini "$g" /)"
check "with the same certificate, not a new one" bash -c "! grep -q 'made a new certificate' \"\$1\"" _ "$work/again.log"
stop

dpkg --remove gemhole </dev/null
check "remove takes the binary" test ! -e /usr/bin/gemhole
check "remove takes the unit and the manual pages" \
    bash -c "[[ ! -e $unit && ! -e /usr/share/man/man1/gemhole.1.gz ]]"
check "remove keeps the configuration" test -f "$config"
check "remove keeps the capsule" test -f "$state/capsule/welcome.md" -a -f "$state/capsule/mine.gmi"
check "remove keeps the certificates" test -f "$state/certs/cert.pem" -a -f "$state/certs/key.pem"

purged=$(dpkg --purge gemhole </dev/null 2>&1)
echo "$purged"
check "purge takes /etc/gemhole" test ! -e /etc/gemhole
check "purge takes the starter's copy in /usr/share" test ! -e /usr/share/gemhole
check "purge keeps the capsule" test -f "$state/capsule/welcome.md" -a -f "$state/capsule/mine.gmi"
check "purge keeps the certificates" test -f "$state/certs/cert.pem" -a -f "$state/certs/key.pem"
check "purge says what it kept" contains "$purged" "the capsule ($state/capsule) and its certificates ($state/certs)"
check "dpkg knows the package no more" is "$(known)" not-installed
check "purge leaves no systemd state behind" \
    bash -c "! compgen -G '/etc/systemd/system/*gemhole*' && ! find /var/lib/systemd -name '*gemhole*' | grep -q ."

summary deb
