# The unit tests of the core (cmocka, t/unit/test_*.c, built into
# build/unit/): each binary's TAP becomes a subtest here, so that prove
# reports them with everything else.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use TAP::Parser;
use Test::More;
use Helpdesk::Test;

my @bins = sort glob("$Helpdesk::Test::BUILD/unit/test_*");
my @srcs = sort glob("$FindBin::Bin/unit/test_*.c");

is(scalar @bins, scalar @srcs, 'every unit test source was built') or diag("@bins");

for my $bin (@bins) {
    my ($name) = $bin =~ m{/(test_\w+)$};
    subtest $name => sub {
        local $ENV{HELPDESK_MUSTACHE_SPEC} = $ENV{HELPDESK_MUSTACHE_SPEC} // "$Helpdesk::Test::ROOT/../shared/mustache-spec";
        local $ENV{HELPDESK_ROOT} = $ENV{HELPDESK_ROOT} // $Helpdesk::Test::ROOT;
        my $parser = TAP::Parser->new({ exec => [$bin] });
        my $count = 0;
        while (my $line = $parser->next) {
            if ($line->is_test) {
                $count++;
                ok($line->is_ok, $line->description =~ s/^- //r);
            } elsif ($line->is_comment) {
                note($line->as_string);
            } elsif ($line->is_plan && $line->directive eq 'SKIP') {
                plan skip_all => $line->explanation;
            }
        }
        ok($count > 0, "$name ran tests");
        is($parser->exit, 0, "$name exited 0");
    };
}

done_testing;
