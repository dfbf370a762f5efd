#!/bin/sh
# Writes the man page charta(1) to stdout, made from the binary's own help: `charta --help` and
# `charta <command> --help` for every command that --help lists. The help texts appear as the
# binary prints them (no-fill blocks), so the page says what the CLI says, whatever its layout;
# only FILES, ENVIRONMENT and SEE ALSO, which describe the installation, are written here.
#
#   man.sh CHARTA_BINARY VERSION > charta.1
set -eu
charta=$1
version=$2

help=$("$charta" --help)
# The commands: the first word of each indented line under "commands:", up to a blank line.
commands=$(printf '%s\n' "$help" |
  awk '/^[A-Za-z ]*commands:[[:space:]]*$/ { on = 1; next }
       on && /^[[:space:]]*$/ { exit }
       on && /^[[:space:]]+[a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "man.sh: \`$charta --help\` lists no commands" >&2; exit 1; }

# Roff-safe text: backslashes, leading dots and quotes, hyphens, the em dash.
roff() {
  sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/' -e 's/-/\\-/g' -e 's/—/\\(em/g'
}
# A help text as a no-fill block; its "usage:" lines in bold.
block() {
  printf '.nf\n'
  roff | sed -e 's/^usage: \(.*\)$/\\fBusage: \1\\fR/'
  printf '.fi\n'
}

summary=$(printf '%s\n' "$help" | sed -n '1s/^charta[[:space:]]*—[[:space:]]*//p')
[ -n "$summary" ] || summary="policy document versioning and publication"

cat <<EOF
.TH CHARTA 1 "" "charta $version" "User Commands"
.SH NAME
charta \\- $(printf '%s\n' "$summary" | roff)
.SH SYNOPSIS
EOF
{
  printf '%s\n' "$help" | sed -n 's/^usage: //p'
  for c in $commands; do "$charta" "$c" --help | sed -n 's/^usage: //p'; done
} | roff | sed 's/^\(.*\)$/\\fB\1\\fR/;1s/^/.nf\n/;$s/$/\n.fi/'

printf '.SH DESCRIPTION\n'
printf '%s\n' "$help" | sed -e '1{/^charta[[:space:]]*—/d}' -e '/^usage: /,/^$/d' | block

printf '.SH COMMANDS\n'
for c in $commands; do
  printf '.SS %s\n' "$c"
  "$charta" "$c" --help | block
done

cat <<'EOF'
.SH ENVIRONMENT
.TP
.B CHARTA_CONFIG
the configuration file when \fB\-\-config\fR is not given (else \fI./charta.ini\fR if it exists).
.TP
.B CHARTA_\fIKEY\fR
any configuration key, in upper case with \fB_\fR for \fB.\fR (\fBCHARTA_SERVER_PORT\fR for
\fBserver.port\fR); overrides the file, and \fB\-D\fR \fIkey=value\fR overrides both.
.SH FILES
.TP
.I /etc/charta/charta.ini
the configuration of the charta service (mode 0640, group charta).
.TP
.I /var/lib/charta
the service's state: the policy repository \fIpolicies.git\fR, the consent ledger
\fIconsents.db\fR and the webhook outbox \fIwebhooks.db\fR; never removed by the package.
.TP
.I /usr/share/charta
templates, site assets, the OpenAPI document and the initial policies (the default of
\fBsite.data_dir\fR).
.TP
.I /lib/systemd/system/charta.service
the unit: \fBsystemctl status charta\fR, \fBjournalctl \-u charta\fR.
.SH SEE ALSO
.BR git (1),
.BR systemctl (1),
.I /usr/share/doc/charta/README.md
EOF
