#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One database, four languages: the blog of the seed in C, Python,
# JavaScript and Vala each add a post to the same database and list every
# post. Each must list the posts the others wrote, and the four listings
# of the database, read again by each language, must be the same.
#
#   cross-language.sh DATABASE BLOG-C BLOG-PY BLOG-JS BLOG-VALA GJS
#
# DATABASE is an empty SQLite file's path or a URI, for example of a new
# PostgreSQL database (demos/with-database --file makes one per engine).
set -euo pipefail

db=$1 blog_c=$2 blog_py=$3 blog_js=$4 blog_vala=$5 gjs=$6

run () {
  case $1 in
    c) "$blog_c" "$db" ;;
    python) /usr/bin/python3 "$blog_py" "$db" ;;
    js) "$gjs" -m "$blog_js" "$db" ;;
    vala) "$blog_vala" "$db" ;;
  esac
}

# The listing: the lines after "N posts:".
listing () {
  sed -n '/^[0-9]* posts\{0,1\}:$/,$p'
}

status=0
n=0
for writer in c python js vala c; do
  n=$((n + 1))
  out=$(run $writer | listing)
  # The first line's number, read without a pipe into head: head leaving
  # early would kill printf with SIGPIPE, which pipefail makes a failure.
  count=${out%%$'\n'*}
  count=${count%% *}
  if [ "$count" != "$n" ]; then
    echo "not ok: after $writer wrote post $n it lists $count posts"
    printf '%s\n' "$out"
    status=1
  else
    echo "ok: $writer reads the $((n - 1)) posts the others wrote and adds one"
  fi
done

# Read by every language again (each adds one more post): the posts
# written above are listed the same by all four.
shared=$n
first=
for reader in c python js vala; do
  out=$(run $reader | listing | sed -n "2,$((shared + 1))p")
  if [ -z "$first" ]; then
    first=$out
  elif [ "$out" != "$first" ]; then
    echo "not ok: $reader lists the shared posts differently"
    diff <(printf '%s\n' "$first") <(printf '%s\n' "$out") || true
    status=1
  fi
done
[ $status -eq 0 ] && echo "ok: C, Python, JavaScript and Vala list the same posts"
exit $status
