#!/usr/bin/env bash
# labels: cli
# The data report: statistics as JSON, drift flagged between two halves
# of Iris that differ, and the HTML page opened in a real headless
# browser (Debian's chromium): it renders every chart (one per column plus
# the drift chart), logs no script error, and a screenshot shows it. The
# browser part is skipped (exit 77) only when chromium is absent.
dl4c=$1
source "$(dirname "$0")/lib.sh"

# Iris with a header, split into the first and the last 75 rows: the
# species (and so the measurements) differ between the halves
{
    echo "sepal_length,sepal_width,petal_length,petal_width,species"
    awk -F, '{split("setosa versicolor virginica", s, " ");
              print $1 "," $2 "," $3 "," $4 "," s[$5 + 1]}' data/iris.csv
} >"$tmp/iris.csv"
head -76 "$tmp/iris.csv" >"$tmp/a.csv"
{ head -1 "$tmp/iris.csv"; tail -75 "$tmp/iris.csv"; } >"$tmp/b.csv"

expect 0 '"type":"categorical"' -- "$dl4c" data analyze "$tmp/a.csv" --json -
expect 0 "drift in 'petal_length'" -- "$dl4c" data analyze "$tmp/a.csv" \
    --vs "$tmp/b.csv" --out "$tmp/report.html" --json "$tmp/report.json"
check "JSON flags a major drift" grep -q '"flag":"major"' "$tmp/report.json"
charts=$(grep -o '<svg class="chart' "$tmp/report.html" | wc -l)
check "6 charts in the page (5 columns + drift): $charts" test "$charts" = 6
check "nothing is fetched from the network" bash -c \
    "! grep -Eo '(src|href)=\"[a-z]+://' '$tmp/report.html'"

# a dataset of the store: label counts of the train split against test
shared=${DL4C_SHARED_DIR:-../shared}/data
if [[ -d $shared/fashion-mnist-png ]]; then
    expect 0 "350 added" -- "$dl4c" data ingest "$shared/fashion-mnist-png" --dataset fashion
    expect 0 "wrote $tmp/store.html: 5 columns compared" -- "$dl4c" data analyze \
        --dataset fashion --out "$tmp/store.html"
    check "the store report shows the train and test splits" \
        grep -q "fashion (train) vs fashion (test)" "$tmp/store.html"
fi

# bad input
printf 'a,b\n1,2\n3\n' >"$tmp/bad.csv"
expect 1 "bad.csv:3: expected 2 columns, found 1" -- "$dl4c" data analyze \
    "$tmp/bad.csv" --out "$tmp/x.html"
expect 2 "give DATA.csv or --dataset NAME" -- "$dl4c" data analyze --out "$tmp/x.html"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
    finish || exit 1
    echo "SKIP: chromium is not installed (scripts/install-deps.sh adds it)"
    exit 77
fi
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run
       --window-size=1200,2400)
dom=$(timeout 120 "$browser" "${flags[@]}" --user-data-dir="$tmp/profile1" \
    --enable-logging=stderr --v=0 --dump-dom "file://$tmp/report.html" \
    2>"$tmp/browser.log")
rendered=$(grep -o 'data-charts-rendered="[0-9]*"' <<<"$dom" | grep -o '[0-9]*')
check "the browser rendered 6 charts (${rendered:-none})" test "${rendered:-0}" = 6
check "no script errors in the browser log" bash -c \
    "! grep -E 'Uncaught|CONSOLE.*[Ee]rror' '$tmp/browser.log'"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$tmp/profile2" \
    --screenshot="$tmp/report.png" "file://$tmp/report.html" >/dev/null 2>&1
check "a screenshot was taken" test -s "$tmp/report.png"
check "the screenshot is a PNG" bash -c \
    "head -c 8 '$tmp/report.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
size=$(wc -c <"$tmp/report.png")
check "the screenshot has content ($size bytes)" test "$size" -gt 20000
finish
