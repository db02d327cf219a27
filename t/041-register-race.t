# Registrations with one e-mail at once, across both workers, and their
# links followed at once: every registration is answered alike (202, a link
# to the address), and the unique index, checked in the transaction that
# makes the account, lets exactly one link make it.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(_exit);
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;

sub at_once {
    my ($n, $each) = @_;
    my @kids;
    pipe(my $r, my $w) or die;
    for my $i (1 .. $n) {
        my $pid = fork // die;
        if (!$pid) {
            close $r;
            my $status = $each->($i);
            syswrite $w, "$status\n";
            _exit(0);
        }
        push @kids, $pid;
    }
    close $w;
    waitpid $_, 0 for @kids;
    return map { chomp; $_ } <$r>;
}

my @status = at_once(10, sub {
    $hd->client->api('POST', 'accounts', {
        email => 'Same@Example.com', login => "racer$_[0]",
        password => 'racing password 1', name => "Racer $_[0]" })->{status} });
is(scalar @status, 10, 'ten registrations of one address at once: ten answers');
is(scalar(grep { $_ == 202 } @status), 10, '... each the same 202');

# the links the address got (at most five an hour), followed at once
my @tokens;
for my $m (grep { $_->{kind} eq 'account_confirm' } $hd->outbox) {
    my ($token) = ($hd->mail($m->{id})->{body} // '') =~ /email\/confirm\?token=([\w-]+)/;
    push @tokens, $token if $token;
}
ok(@tokens >= 2 && @tokens <= 5, scalar(@tokens) . ' links went to the address (at most five an hour)');
@status = at_once(scalar @tokens, sub {
    $hd->client->api('POST', 'email/confirm', { token => $tokens[$_[0] - 1] })->{status} });
is(scalar(grep { $_ == 201 } @status), 1, 'exactly one link made the account');
is(scalar(grep { $_ == 409 } @status), @tokens - 1, '... the others are told the address has one now');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^accounts\s+1$/m, 'one account is stored');
like($out, qr/^account_by_email\s+1$/m, '... with one e-mail index entry');
like($out, qr/^consistent$/m, 'the database is consistent');

# logins that differ only in case, their links followed at once
at_once(6, sub {
    $hd->client->api('POST', 'accounts', {
        email => "login$_[0]\@example.com", login => $_[0] % 2 ? 'SameLogin' : 'samelogin',
        password => 'racing password 1', name => "Racer $_[0]" })->{status} });
@status = at_once(6, sub {
    $hd->client->api('POST', 'email/confirm',
                     { token => $hd->register_token("login$_[0]\@example.com") })->{status} });
is(scalar(grep { $_ == 201 } @status), 1, 'six racing for one login in two cases: one link makes it');
($rc, $out) = $hd->cli('check');
like($out, qr/^account_by_login\s+2$/m, '... one more account');
like($out, qr/^consistent$/m, '... consistently');

$hd->finish;

done_testing;
