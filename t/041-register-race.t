# Twenty registrations with one e-mail at once, across both workers: the
# unique index is checked in the writing transaction, so exactly one wins.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(_exit);
use Test::More;
use Helpdesk::Test;

# every racer is one address: the limit on "taken" answers (t/049) is
# raised, so that each of them is told
my $hd = Helpdesk::Test->new(http => 'helpdesk_probe_limit 100 per=1h;')->start;

my @kids;
pipe(my $r, my $w) or die;
for my $i (1 .. 20) {
    my $pid = fork // die;
    if (!$pid) {
        close $r;
        my $res = $hd->client->api('POST', 'accounts', {
            email => 'Same@Example.com', login => "racer$i",
            password => 'racing password 1', name => "Racer $i" });
        syswrite $w, "$res->{status}\n";
        _exit(0);
    }
    push @kids, $pid;
}
close $w;
waitpid $_, 0 for @kids;
my @status = map { chomp; $_ } <$r>;

is(scalar @status, 20, 'twenty answers');
is(scalar(grep { $_ == 201 } @status), 1, 'exactly one registration succeeded');
is(scalar(grep { $_ == 409 } @status), 19, 'the other nineteen were refused as taken');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^accounts\s+1$/m, 'one account is stored');
like($out, qr/^account_by_email\s+1$/m, '... with one e-mail index entry');
like($out, qr/^consistent$/m, 'the database is consistent');

# and the same for logins that differ only in case
@kids = ();
for my $i (1 .. 10) {
    my $pid = fork // die;
    if (!$pid) {
        $hd->client->api('POST', 'accounts', {
            email => "login$i\@example.com", login => $i % 2 ? 'SameLogin' : 'samelogin',
            password => 'racing password 1', name => "Racer $i" });
        _exit(0);
    }
    push @kids, $pid;
}
waitpid $_, 0 for @kids;
($rc, $out) = $hd->cli('check');
like($out, qr/^account_by_login\s+2$/m, 'ten racing for one login in two cases: one more account');
like($out, qr/^consistent$/m, '... consistently');

$hd->finish;

done_testing;
