# Every fuzzer's seed corpus and every input that once made one fail
# (t/fuzz/corpus/NAME, t/fuzz/regress/NAME) run through the parser again, in
# the ordinary build: what was fixed stays fixed. The fuzzing itself is
# ./build.sh fuzz (libFuzzer, ASan, UBSan).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my @srcs = sort glob("$FindBin::Bin/fuzz/fuzz_*.c");
ok(@srcs >= 12, 'a fuzzer for each parser of untrusted bytes') or diag("@srcs");

for my $src (@srcs) {
    my ($name) = $src =~ m{/fuzz_(\w+)\.c$};
    my $bin = "$Helpdesk::Test::BUILD/replay/fuzz_$name";
    ok(-x $bin, "$name: its replay is built") or next;

    my @dirs = grep { -d } map { "$FindBin::Bin/fuzz/$_/$name" } qw(corpus regress);
    ok(-d "$FindBin::Bin/fuzz/corpus/$name", "$name: has a seed corpus");

    my $out = `$bin @dirs 2>&1`;
    my $rc = $?;
    is($rc, 0, "$name: every seed and regression input is read without a crash")
        or diag($out);
    my ($n) = $out =~ /(\d+) inputs/;
    cmp_ok($n // 0, '>=', 3, "$name: at least three inputs were read");
}

done_testing;
