# The certificate's limit of unclosed tickets and the contract's premium
# quota (SPEC §5.3): both checked in the transaction that inserts the
# ticket, so that requests racing for the last slot never both win.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;

my $standard = $hd->catalog(limit => 2);
my $business = $hd->catalog(name => 'MSA Business (1 год)', limit => 10, level => 'msa_business',
                            premium => 2, kind => 'contract', department => 'Расширенная поддержка');
my $ua = $hd->user('lena');
my $cert = $hd->certificate($ua, $standard);
my $msa = $hd->certificate($ua, $business);

my %t = (subject => 'S', description => 'D', category => 'technical', type => 'bug', severity => 3);

# --- the last slot, raced for ---

$hd->ticket($ua, certificate => $cert);

my $racers = 8;
my @kids;
pipe(my $r, my $w) or die $!;
for my $i (1 .. $racers) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $r;
        my $c = $hd->client;
        $c->cookies->{$_} = $ua->cookies->{$_} for keys %{ $ua->cookies };
        $c->csrf($ua->csrf);
        my $res = $c->api('POST', 'tickets', { %t, subject => "racer $i", certificate => $cert });
        syswrite $w, "$res->{status}\n";
        POSIX::_exit(0);        # not the parent's END: it stops nginx
    }
    push @kids, $pid;
}
close $w;
waitpid $_, 0 for @kids;
my @statuses = map { chomp; $_ } <$r>;
is(scalar(grep { $_ == 201 } @statuses), 1, "$racers requests race for the last slot: exactly one wins");
is(scalar(grep { $_ == 409 } @statuses), $racers - 1, '... the others get 409');

my $res = $ua->api('GET', 'certificates');
my ($c) = grep { $_->{number} eq $cert } @{ $res->{json}{certificates} };
is($c->{unclosed}, 2, 'the certificate has exactly its 2 unclosed tickets');

$res = $ua->api('POST', 'tickets', { %t, certificate => $cert });
is($res->{status}, 409, 'one more is refused');
is($res->{json}{error}{code}, 'ticket_limit_reached', '... ticket_limit_reached');
is($res->{json}{error}{field}, 'certificate', '... naming the certificate');

my $page = $ua->get('/tickets/new');
like($page->{content}, qr/value="\Q$cert\E" disabled>.*незакрытых 2 из 2 — лимит исчерпан/s,
     'the form shows the certificate full and does not offer it');

# a reply or a close on a ticket of a full certificate is fine
my ($first) = map { $_->{number} } grep { $_->{subject} eq 'A problem' } @{ $ua->api('GET', 'tickets')->{json}{tickets} };
is($ua->api('POST', "tickets/$first/messages", { body => 'more' })->{status}, 201, 'replying on a full certificate works');
is($ua->api('POST', "tickets/$first/close")->{status}, 200, 'closing one...');
is($ua->api('POST', 'tickets', { %t, certificate => $cert })->{status}, 201, '... makes room for a new one');

# --- premium incidents ---

$res = $ua->api('POST', 'tickets', { %t, certificate => $cert, premium => JSON::PP::true });
is($res->{status}, 409, 'premium on a full standard certificate: the limit first') ;
$res = $ua->api('POST', 'tickets', { %t, premium => JSON::PP::true });
is($res->{status}, 422, 'premium without a certificate: 422');
is($res->{json}{error}{code}, 'premium_needs_certificate', '... premium_needs_certificate');

my $second = $hd->certificate($ua, $standard);
$res = $ua->api('POST', 'tickets', { %t, certificate => $second, premium => JSON::PP::true });
is($res->{json}{error}{code}, 'premium_not_in_contract', 'premium on a standard certificate: premium_not_in_contract');

$page = $ua->get('/tickets/new');
like($page->{content}, qr/\Q$msa\E.*Премиальное обращение: осталось в этом году: 2/s,
     'the form offers premium where the contract has some left');

$res = $ua->api('POST', 'tickets', { %t, certificate => $msa, premium => JSON::PP::true, severity => 2 });
is($res->{status}, 201, 'a premium incident');
is($res->{json}{priority}, 'urgent', '... Business: urgent');
ok($res->{json}{premium}, '... marked premium');
is($res->{json}{department}, 'Расширенная поддержка', "... in the contract's department");

$res = $ua->api('POST', 'tickets', { %t, certificate => $msa, premium => JSON::PP::true, severity => 1 });
is($res->{json}{priority}, 'critical', 'severity 1 raises Business to critical');

$res = $ua->api('POST', 'tickets', { %t, certificate => $msa, premium => 1 });
is($res->{status}, 409, 'the third of a quota of 2: 409');
is($res->{json}{error}{code}, 'premium_quota_spent', '... premium_quota_spent');
is($res->{json}{error}{field}, 'premium', '... naming the field');

$res = $ua->api('POST', 'tickets', { %t, certificate => $msa });
is($res->{status}, 201, 'a standard ticket on the contract still goes');
is($res->{json}{priority}, 'normal', '... at normal priority');

$page = $ua->get('/tickets/new');
like($page->{content}, qr/\Q$msa\E.*Премиальное обращение: исчерпаны/s, 'the form says the quota is spent');

# a cancelled premium incident still counts against the quota
$res = $ua->api('GET', 'tickets');
my ($premium) = grep { $_->{premium} } @{ $res->{json}{tickets} };
$ua->api('POST', "tickets/$premium->{number}/close");
$res = $ua->api('POST', 'tickets', { %t, certificate => $msa, premium => 1 });
is($res->{json}{error}{code}, 'premium_quota_spent', 'a cancelled premium incident stays counted');

# an expired certificate takes no tickets
my ($old) = $hd->issue($standard, '--from', '2020-01-01');
$hd->cli('certs', 'assign', $old->[0], '--account', 'lena');
$res = $ua->api('POST', 'tickets', { %t, certificate => $old->[0] });
is($res->{json}{error}{code}, 'certificate_expired', 'an expired certificate: certificate_expired');

my ($rc, $out) = $hd->cli('check');
like($out, qr/^consistent$/m, 'helpdesk check: consistent after all of it') or diag($out);

$hd->finish;
done_testing;
