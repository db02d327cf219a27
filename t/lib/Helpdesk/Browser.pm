package Helpdesk::Browser;

# Runs a browser script (t/browser/*.mjs) under node and turns each line it
# reports ("ok - ...", "not ok - ... # why") into a Test::More assertion.

use strict;
use warnings;

use Test::More;

use Exporter 'import';
our @EXPORT_OK = qw(browser_script);

sub browser_script {
    my ($script, @args) = @_;
    my $dir = "$Helpdesk::Test::ROOT/t/browser";

    if (!-d "$dir/node_modules/playwright-core") {
        plan skip_all => 'playwright-core is not installed (./build.sh test installs it)';
    }

    # the Node.js 20 build.sh installs where Debian's is older
    my $node = "$Helpdesk::Test::BUILD/node/node_modules/.bin/node";
    $node = 'node' unless -x $node;

    my $cmd = join ' ', $node, "$dir/$script", map { Helpdesk::Test::quote($_) } @args;
    open my $out, '-|', "$cmd 2>&1" or die "cannot run node: $!";

    my $seen = 0;
    while (my $line = <$out>) {
        chomp $line;
        if ($line =~ /^(not )?ok - (.*?)(?: # (.*))?$/) {
            $seen++;
            ok(!$1, $2) or diag($3 // '');
        } else {
            note($line);
        }
    }
    close $out;

    ok($seen, "$script reported its checks");
    is($? >> 8, 0, "$script finished without failures");
}

1;
