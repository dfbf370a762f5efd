#!/bin/sh
# Writes bash completion for charta to stdout, made from the binary's own help: the commands that
# `charta --help` lists, each command's options and subcommands from `charta <command> --help`,
# and which commands take a document id (<doc> in their usage). Document ids are read when
# completing, from charta.xml at HEAD of the policy repository (--repo, else
# CHARTA_REPOSITORY_PATH, else repository.path of the configuration file, else var/policies.git).
#
#   completion.sh CHARTA_BINARY > charta.bash
set -eu
charta=$1

help=$("$charta" --help)
commands=$(printf '%s\n' "$help" |
  awk '/^[A-Za-z ]*commands:[[:space:]]*$/ { on = 1; next }
       on && /^[[:space:]]*$/ { exit }
       on && /^[[:space:]]+[a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "completion.sh: \`$charta --help\` lists no commands" >&2; exit 1; }

# Every --option (and -D, -h) a help text names, once each.
options() { grep -o -- '-\(-[a-z][a-z0-9-]*\|[A-Za-z]\)\b' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

echo "# bash completion for charta, generated from \`charta --help\` (packaging/completion.sh)."
printf '_charta_commands="%s"\n' "$(printf '%s\n' "$commands" | tr '\n' ' ' | sed 's/ $//')"
printf '_charta_global="%s"\n' "$(printf '%s\n' "$help" | sed -n '/^usage:/p' | options) --help --version"
# Options followed by a value in a usage line ("--at T", "--as \"Name <email>\"", "-D key=value").
valued=$({ printf '%s\n' "$help"; for c in $commands; do "$charta" "$c" --help; done; } |
  grep -o -- '-\(-[a-z][a-z0-9-]*\|[A-Za-z]\) [^][|-]' | cut -d' ' -f1 | sort -u | tr '\n' ' ' |
  sed 's/ $//')
printf '_charta_valued=" %s "\n' "$valued"
echo "declare -A _charta_options=() _charta_subcommands=() _charta_takes_doc=()"
for c in $commands; do
  chelp=$("$charta" "$c" --help)
  usage=$(printf '%s\n' "$chelp" | sed -n '/^usage:/,/^$/p')
  printf '_charta_options[%s]="%s"\n' "$c" "$(printf '%s\n' "$usage" | options)"
  # "charta ledger verify ...": words right after "charta <command>" are subcommands.
  subs=$(printf '%s\n' "$usage" | grep -o "charta $c [a-z][a-z-]*" | awk '{ print $3 }' |
    sort -u | tr '\n' ' ' | sed 's/ $//')
  [ -z "$subs" ] || printf '_charta_subcommands[%s]="%s"\n' "$c" "$subs"
  case $usage in *"<doc>"*) printf '_charta_takes_doc[%s]=1\n' "$c" ;; esac
done

cat <<'EOF'

# The document ids of charta.xml at HEAD of the policy repository this command line names.
_charta_documents() {
  local repo="" config="${CHARTA_CONFIG:-}" i
  for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
    case ${COMP_WORDS[i]} in
      --repo) repo=${COMP_WORDS[i + 1]:-} ;;
      --repo=*) repo=${COMP_WORDS[i]#--repo=} ;;
      --config) config=${COMP_WORDS[i + 1]:-} ;;
      --config=*) config=${COMP_WORDS[i]#--config=} ;;
    esac
  done
  [ -n "$repo" ] || repo=${CHARTA_REPOSITORY_PATH:-}
  [ -n "$config" ] || { [ -r charta.ini ] && config=charta.ini; }
  if [ -z "$repo" ] && [ -n "$config" ] && [ -r "$config" ]; then
    repo=$(awk -F= '/^\[/ { s = $0; next }
      s == "[repository]" && $1 ~ /^[ \t]*path[ \t]*$/ {
        v = $2; gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit }' "$config")
  fi
  [ -n "$repo" ] || repo=var/policies.git
  git -C "$repo" show HEAD:charta.xml 2>/dev/null |
    grep -o '<document[[:space:]][^>]*' | grep -o '[[:space:]]id="[^"]*"' | sed 's/.*id="\(.*\)"/\1/'
}

_charta() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]:-} cmd="" i positional=0
  case $prev in
    --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --repo | --out | --from) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
  esac
  if [[ $_charta_valued == *" $prev "* ]]; then COMPREPLY=(); return; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    local w=${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      [[ $_charta_valued == *" $w "* ]] && ((i++))
    elif [ -z "$cmd" ]; then
      cmd=$w
    else
      ((positional++))
    fi
  done
  if [ -z "$cmd" ]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$_charta_global" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_charta_commands" -- "$cur"))
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${_charta_options[$cmd]:-} --json --help" -- "$cur"))
  elif [ "$positional" -eq 0 ] && [ -n "${_charta_subcommands[$cmd]:-}" ]; then
    COMPREPLY=($(compgen -W "${_charta_subcommands[$cmd]}" -- "$cur"))
  elif [ "$positional" -eq 0 ] && [ -n "${_charta_takes_doc[$cmd]:-}" ]; then
    COMPREPLY=($(compgen -W "$(_charta_documents)" -- "$cur"))
  fi
}
complete -F _charta charta
EOF
