#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# One database, four languages: the blog of the seed in C, Python,
# JavaScript and Vala each add a post to the same database and list every
# post. Each must list the posts the others wrote, and the four listings
# of the database, read again by each language, must be the same.
#
# Then the polls of tests/cross-language/polls.{c,py,js,vala}: each
# language in turn writes a question with two choices (a foreign key) and
# two tags (many-to-many, one of them shared by every question), with
# NULL in optional numbers (the question's rating, a choice's rank), and after
# each write all four languages read the whole database back, every column
# of every row and each relation in both directions; each listing must be
# exactly the one expected, down to the aggregates each language computes
# (the choices and votes of each question, annotated, and the count, sum,
# min, max and average of the votes).
#
#   cross-language.sh DATABASE BLOG-C BLOG-PY BLOG-JS BLOG-VALA GJS \
#                     POLLS-C POLLS-PY POLLS-JS POLLS-VALA
#
# DATABASE is an empty SQLite file's path or a URI, for example of a new
# PostgreSQL database (demos/with-database --file makes one per engine).
set -euo pipefail

db=$1 blog_c=$2 blog_py=$3 blog_js=$4 blog_vala=$5 gjs=$6
polls_c=$7 polls_py=$8 polls_js=$9 polls_vala=${10}

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

# The polls programs take a URI: a file is an sqlite: URI.
case $db in
  *://*|sqlite:*) uri=$db ;;
  *) uri=sqlite:$db ;;
esac

polls () {
  local language=$1
  shift
  case $language in
    c) "$polls_c" "$uri" "$@" ;;
    python) /usr/bin/python3 "$polls_py" "$uri" "$@" ;;
    js) "$gjs" -m "$polls_js" "$uri" "$@" ;;
    vala) "$polls_vala" "$uri" "$@" ;;
  esac
}

# What writer N (1 to 4) writes, and what every reader must list after
# writers 1 to N wrote: question N with choices 2N-1 and 2N; tag 1
# "shared" (made by the first writer) and tag N+1, the writer's language.
languages=(c python js vala)
pub_date () { printf '2026-12-0%dT1%d:%d5:30.%d23456+02:00' "$1" "$1" "$1" "$1"; }
pub_date_utc () { printf '2026-12-0%dT%02d:%d5:30.%d23456Z' "$1" $((8 + $1)) "$1" "$1"; }
expected () {
  local n=$1 i shared=
  for ((i = 1; i <= n; i++)); do
    local lang=${languages[i - 1]}
    local tags="$lang, shared"
    [[ $lang > shared ]] && tags="shared, $lang"
    echo "question $i: Written in $lang? | $(pub_date_utc "$i") | rating NULL | tags $tags"
    echo "  choice $((2 * i - 1)): $lang yes | $((10 * i)) votes | rank 1 | of question $i"
    echo "  choice $((2 * i)): $lang no | $((10 * i + 1)) votes | rank NULL | of question $i"
    shared+="${shared:+, }$i"
  done
  {
    printf 'shared\ttag 1: shared | questions %s\n' "$shared"
    for ((i = 1; i <= n; i++)); do
      printf '%s\ttag %d: %s | questions %d\n' "${languages[i - 1]}" $((i + 1)) "${languages[i - 1]}" "$i"
    done
  } | LC_ALL=C sort | cut -f2
  # The aggregates: question i has 20i + 1 votes; the choices' votes are
  # 10, 11, ..., 10n, 10n + 1.
  for ((i = 1; i <= n; i++)); do
    echo "totals of question $i: 2 choices, $((20 * i + 1)) votes"
  done
  echo "votes: $((2 * n)) choices, total $((10 * n * (n + 1) + n)), least 10, most $((10 * n + 1)), average $((5 * n + 5)).50"
}

n=0
for writer in "${languages[@]}"; do
  n=$((n + 1))
  if ! out=$(polls $writer write "Written in $writer?" "$(pub_date $n)" $writer $((10 * n))) ||
     [ "$out" != "Wrote question $n" ]; then
    echo "not ok: $writer did not write poll $n: $out"
    status=1
    continue
  fi
  want=$(expected $n)
  for reader in "${languages[@]}"; do
    if ! out=$(polls $reader read); then
      echo "not ok: $reader cannot read the polls after $writer wrote poll $n"
      status=1
    elif [ "$out" != "$want" ]; then
      echo "not ok: $reader reads the polls after $writer wrote poll $n differently"
      diff <(printf '%s\n' "$want") <(printf '%s\n' "$out") || true
      status=1
    else
      echo "ok: $reader reads the $n polls, the last written by $writer"
    fi
  done
done
[ $status -eq 0 ] && echo "ok: C, Python, JavaScript and Vala read the polls each of them wrote"
exit $status
