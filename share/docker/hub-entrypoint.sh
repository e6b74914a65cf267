#!/bin/sh
# The coursehub image's entry point: gives the container back the Unix accounts and groups the hub
# made in earlier containers, then runs `coursehub ARGS`.
#
# Every new container starts from the image's /etc, so each account the hub made (one per user,
# with the uid their volume's files carry; the grading account; one group per course) would be
# gone after `make build && make up`. The hub keeps a copy of the account database in
# COURSEHUB_ACCOUNTS_COPY, on its data volume (src/sandbox/account-database-copy.ts); the entries
# of that copy the image lacks are added here, by name. An entry whose uid or gid the image gives
# to another name stops the start with a message: the two would own each other's files.
set -eu

# COURSEHUB_ETC: another folder than /etc to complete (the tests use a scratch one).
ETC="${COURSEHUB_ETC:-/etc}"
COPY="${COURSEHUB_ACCOUNTS_COPY:-}"

# Prints the entries of copy file $2 that image file $1 lacks (by name); with $3 (the id field),
# fails naming the first whose id the image already gives to another name.
missing_entries() {
  awk -F: -v id_field="${3:-0}" -v what="$4" '
    NR == FNR { name[$1] = 1; if (id_field) owner[$id_field] = $1; next }
    $1 in name { next }
    id_field && ($id_field in owner) {
      printf "coursehub: cannot restore the %s \"%s\": its id %s is \"%s\" in this image.\n", what, $1, $id_field, owner[$id_field] > "/dev/stderr"
      printf "coursehub: the image must not give that id to an account of its own; rebuild it without, or move the files of \"%s\" to a new id.\n", $1 > "/dev/stderr"
      failed = 1; exit 1
    }
    { print }
    END { if (failed) exit 1 }
  ' "$1" "$2"
}

if [ -n "$COPY" ] && [ -f "$COPY/passwd" ]; then
  added=0
  for file in passwd group shadow gshadow; do
    [ -f "$COPY/$file" ] && [ -f "$ETC/$file" ] || continue
    case "$file" in
      passwd) entries="$(missing_entries "$ETC/$file" "$COPY/$file" 3 account)" ;;
      group) entries="$(missing_entries "$ETC/$file" "$COPY/$file" 3 group)" ;;
      *) entries="$(missing_entries "$ETC/$file" "$COPY/$file" 0 entry)" ;;
    esac
    [ -n "$entries" ] || continue
    printf '%s\n' "$entries" >>"$ETC/$file"
    [ "$file" = passwd ] && added=$(printf '%s\n' "$entries" | wc -l)
  done
  [ "$added" -eq 0 ] || echo "coursehub: restored $added account(s) from $COPY"
fi

exec coursehub "$@"
