# Who sees a ticket (SPEC §2, §5.5, §12): its author; the company's owner
# and admins, who also act on it; members with the right "sees company
# tickets", who only look. Anyone else gets 404 for the ticket, its thread
# and its files, also by guessing numbers.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 5);

my $olga = $hd->user('olga', name => 'Ольга Владелец');
is($olga->api('POST', 'company', { name => 'ООО «Ромашка»' })->{status}, 201, 'a company');
my $anna = $hd->invite($olga, 'anna');     # to be an admin
my $petr = $hd->invite($olga, 'petr');     # a member who writes tickets
my $ivan = $hd->invite($olga, 'ivan');     # a member with the right
my $masha = $hd->invite($olga, 'masha');   # a member without it
my %id = map { $_->{name} => $_->{id} } @{ $olga->api('GET', 'company')->{json}{members} };
$olga->api('PATCH', "company/members/$id{'User anna'}", { role => 'admin' });
$olga->api('PATCH', "company/members/$id{'User ivan'}", { sees_company_tickets => JSON::PP::true() });

my $zed = $hd->user('zed');
$zed->api('POST', 'company', { name => 'ООО «Лютик»' });

# the company's contract, used by a member
my $contract = $hd->certificate($olga, $type, holder => 'company');
my $res = $petr->post_multipart('tickets', { subject => 'Сбой у Петра', description => 'Подробности',
                                             category => 'technical', type => 'bug', severity => 3,
                                             certificate => $contract },
                                [ [ 'attachments', 'log.txt', 'секретный лог' ] ], api => 1);
is($res->{status}, 201, "a member opens a ticket on the company's contract");
my $n = $res->{json}{number};
my $file = $petr->api('GET', "tickets/$n")->{json}{messages}[0]{attachments}[0]{url};
my $own = $hd->ticket($zed);

# --- who sees it ---

for ([ $petr, 'the author' ], [ $olga, 'the owner' ], [ $anna, 'an admin' ],
     [ $ivan, 'a member with the right' ]) {
    my ($ua, $who) = @$_;
    is($ua->api('GET', "tickets/$n")->{status}, 200, "$who sees the ticket");
    is($ua->get($file)->{status}, 200, "... and its file");
    my $list = $ua->api('GET', 'tickets')->{json};
    ok((grep { $_->{number} == $n } @{ $list->{tickets} }), '... and finds it in "My tickets"');
}

my $page = $olga->get('/tickets');
like($page->{content}, qr/<th scope="col">Автор<\/th>/, 'company viewers get the author column');
like($page->{content}, qr/class="author">User petr</, '... naming the author');
unlike($petr->get('/tickets')->{content}, qr/<th scope="col">Автор<\/th>/, 'a plain member does not');

for ([ $masha, 'a member without the right' ], [ $zed, 'another company' ],
     [ $hd->user('lone'), 'another customer' ]) {
    my ($ua, $who) = @$_;
    is($ua->api('GET', "tickets/$n")->{status}, 404, "$who: 404 for the ticket");
    is($ua->get("/tickets/$n")->{status}, 404, '... the page too');
    is($ua->get($file)->{status}, 404, '... 404 for its file');
    is($ua->api('POST', "tickets/$n/messages", { body => 'hi' })->{status}, 404, '... 404 for replying');
    is($ua->api('POST', "tickets/$n/close")->{status}, 404, '... and for closing');
    is($ua->api('POST', "tickets/$n/reopen", { body => 'x' })->{status}, 404, '... and reopening');
    is($ua->api('POST', "tickets/$n/rating", { stars => 1 })->{status}, 404, '... and rating');
    ok(!(grep { $_->{number} == $n } @{ $ua->api('GET', 'tickets')->{json}{tickets} }), '... nor is it listed');
}

# guessing numbers: every one is 404 but one's own
my @seen;
for my $guess ($n - 5 .. $n + 5) {
    my $s = $zed->api('GET', "tickets/$guess")->{status};
    push @seen, $guess if $s != 404;
}
is_deeply(\@seen, [ $own ], 'guessing ticket numbers finds only the own one');

# --- who acts on it ---

is($ivan->api('POST', "tickets/$n/messages", { body => 'я только смотрю' })->{status}, 403,
   'a member with the right may look, not reply: 403');
is($ivan->api('POST', "tickets/$n/close")->{status}, 403, '... nor close');
unlike($ivan->get("/tickets/$n")->{content}, qr/Добавить ответ/, '... and the page offers neither');

$res = $anna->api('POST', "tickets/$n/messages", { body => 'Дополню за Петра' });
is($res->{status}, 201, "an admin replies on a member's ticket");
my $mail = $hd->last_mail('ticket_reply', 'petr@example.com');
like($mail->{body}, qr/User anna добавил\(а\) ответ/, '... and the author is told who did');
$res = $petr->api('GET', "tickets/$n");
is($res->{json}{messages}[1]{author}, 'User anna', "... the reply is the admin's in the thread");

$hd->staff_says($hd->staff('solver', 'agent'), $n, 'solution');
$res = $olga->api('POST', "tickets/$n/close");
is($res->{status}, 200, "the owner closes a member's solved ticket");
is($olga->api('POST', "tickets/$n/rating", { stars => 2 })->{status}, 403,
   'but only the author rates it');
is($petr->api('POST', "tickets/$n/rating", { stars => 4 })->{status}, 200, '... the author does');

# a ticket from before joining stays private to its author
my $late = $hd->user('late');
my $before = $hd->ticket($late, subject => 'До компании');
$late = $hd->invite($olga, 'late2');
is($olga->api('GET', "tickets/$before")->{status}, 404,
   "a ticket made outside the company is not the company's");

# leaving the company takes the sight away at once
$olga->api('DELETE', "company/members/$id{'User ivan'}");
is($ivan->api('GET', "tickets/$n")->{status}, 404, 'a removed member no longer sees the company ticket');

$hd->finish;
done_testing;
