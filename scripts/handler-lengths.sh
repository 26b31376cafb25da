#!/usr/bin/env bash
# Function lengths in the HTTP layer, to watch handlers stay short (see docs/code-shape.md).
#
#   scripts/handler-lengths.sh [DIR...]     default: crates/api/src/routes
#
# Prints, for every `fn` under DIR (body from its `fn` line to the closing brace, counted by
# brace depth; attributes and doc comments not included):
#   - a bucket table for the actix handlers (fns right after a #[get]/#[post]/... attribute)
#   - the same table for every fn (handlers plus their helpers, e.g. `prepare`)
#   - the fns over 60 lines, longest first
# Brace counting ignores braces inside string literals and line comments; good enough for a trend.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=("$@")
[ ${#dirs[@]} -eq 0 ] && dirs=(crates/api/src/routes)
find "${dirs[@]}" -name '*.rs' | sort | xargs perl -e '
  my @rows;
  for my $file (@ARGV) {
    open my $fh, "<", $file or die "$file: $!";
    my @lines = <$fh>; close $fh;
    my ($handler_attr, $in, $depth, $start, $name, $is_handler, $opened) = (0, 0, 0, 0, "", 0, 0);
    for my $i (0 .. $#lines) {
      my $l = $lines[$i];
      if (!$in) {
        $handler_attr = 1 if $l =~ /^\s*#\[(get|post|put|patch|delete)\(/;
        if ($l =~ /^\s*(pub(\([^)]*\))?\s+)?(async\s+)?fn\s+(\w+)/) {
          ($in, $depth, $start, $name, $is_handler, $opened) = (1, 0, $i, $4, $handler_attr, 0);
          $handler_attr = 0;
        } elsif ($l =~ /^\s*(pub|struct|enum|impl|mod|const|static|type|use)\b/) {
          $handler_attr = 0;
        }
      }
      if ($in) {
        (my $s = $l) =~ s{"(?:\\.|[^"\\])*"}{""}g;
        $s =~ s{//.*}{};
        my $o = () = $s =~ /\{/g; my $c = () = $s =~ /\}/g;
        $opened = 1 if $o; $depth += $o - $c;
        if ($opened && $depth <= 0) {
          push @rows, [$file, $name, $i - $start + 1, $is_handler]; $in = 0;
        } elsif (!$opened && $s =~ /;\s*$/) { $in = 0 }  # a fn declaration without body
      }
    }
  }
  my @b = ([1,20],[21,40],[41,60],[61,80],[81,100],[101,1e9]);
  for my $set (["handlers", sub { $_[0][3] }], ["all fns", sub { 1 }]) {
    my @r = grep { $set->[1]->($_) } @rows;
    printf "%s (%d):\n", $set->[0], scalar @r;
    for my $k (@b) {
      my $n = grep { $_->[2] >= $k->[0] && $_->[2] <= $k->[1] } @r;
      printf "  %-9s %4d\n", ($k->[1] > 1e8 ? ">100" : "$k->[0]-$k->[1]"), $n;
    }
  }
  print "fns over 60 lines:\n";
  printf "  %4d  %s %s%s\n", $_->[2], $_->[0], $_->[1], ($_->[3] ? " (handler)" : "")
    for sort { $b->[2] <=> $a->[2] } grep { $_->[2] > 60 } @rows;
'
