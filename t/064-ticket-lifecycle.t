# A ticket's life as the customer lives it (SPEC §5.2, §5.5, §5.6): close
# from each status, reopen inside and outside the window (longer for
# enhancements), cancelled never comes back, the rating once: on the page,
# and from the closing e-mail's signed link without logging in.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(http => 'helpdesk_reopen_window 3s enhancement=8s;')->start;
my $type = $hd->catalog(limit => 20);
my $ua = $hd->user('kate');
my $agent = $hd->staff('agent1', 'agent');
my $cert = $hd->certificate($ua, $type);

sub new_ticket { $hd->ticket($ua, certificate => $cert, @_) }
sub status { $ua->api('GET', "tickets/$_[0]")->{json}{status} }

# --- staff messages as the customer sees them ---

my $res = $ua->api('POST', 'staff/tickets/1/messages', { kind => 'reply', body => 'x' });
is($res->{status}, 403, 'a customer cannot use the staff API: 403');

my $n = new_ticket();
$res = $agent->api('POST', "staff/tickets/$n/messages", { kind => 'gossip', body => 'x' });
is($res->{status}, 422, 'an unknown message kind: 422');
is($res->{json}{error}{field}, 'kind', '... naming the field');

is($hd->staff_says($agent, $n, 'reply')->{status}, 'open', 'a staff reply: open');
ok($hd->last_mail('ticket_staff_reply', 'kate@example.com'), '... and the customer is told');
is($hd->staff_says($agent, $n, 'note', 'Внутреннее: клиент путает версии')->{status}, 'open',
   'an internal note changes nothing');
$res = $agent->post_multipart("staff/tickets/$n/messages", { kind => 'note', body => 'лог для своих' },
                              [ [ 'attachments', 'internal.txt', 'staff only' ] ], api => 1);
is($res->{status}, 201, '... a note with a file');
is($hd->staff_says($agent, $n, 'info_request', 'Пришлите журнал')->{status}, 'awaiting_customer',
   'an information request: awaiting_customer');

$res = $ua->api('GET', "tickets/$n");
ok(!(grep { $_->{kind} eq 'note' } @{ $res->{json}{messages} }), 'the customer never sees internal notes');
unlike($res->{content}, qr/Внутреннее|лог для своих|internal\.txt/, '... nor anything of them');
my ($req) = grep { $_->{kind} eq 'info_request' } @{ $res->{json}{messages} };
is($req->{body}, 'Пришлите журнал', '... but sees the information request');
is($res->{json}{owner}, 'Staff agent1', 'the answering agent owns the ticket');
my $page = $ua->get("/tickets/$n");
like($page->{content}, qr/Ожидает вашего ответа/, 'the page shows "Awaiting your reply"');
unlike($page->{content}, qr/Внутреннее/, '... and no note');
my $note_file = 1 + $ua->api('GET', "tickets/$n")->{json}{messages}[0]{id};
my @served = grep { $ua->get("/tickets/$n/files/$_")->{status} == 200 } 1 .. 10;
is_deeply(\@served, [], "no id gives the customer the note's file");

is($ua->api('POST', "tickets/$n/messages", { body => 'Вот журнал' })->{json}{status}, 'open',
   "the customer's answer puts it back to open");

# --- close from each status ---

my %closes;
$closes{new} = new_ticket();
$closes{open} = new_ticket(); $hd->staff_says($agent, $closes{open}, 'reply');
$closes{awaiting_customer} = new_ticket(); $hd->staff_says($agent, $closes{awaiting_customer}, 'info_request');
$closes{solved} = new_ticket(); $hd->staff_says($agent, $closes{solved}, 'solution');

for my $from (qw(new open awaiting_customer)) {
    $res = $ua->api('POST', "tickets/$closes{$from}/close");
    is($res->{json}{status}, 'cancelled_by_customer', "close from $from: cancelled_by_customer");
}
$res = $ua->api('POST', "tickets/$closes{solved}/close");
is($res->{json}{status}, 'closed', 'close from solved: closed');
$res = $ua->api('POST', "tickets/$closes{solved}/close");
is($res->{status}, 409, 'closing a closed ticket: 409');
is($res->{json}{error}{code}, 'ticket_already_closed', '... ticket_already_closed');
$res = $ua->api('POST', "tickets/$closes{solved}/messages", { body => 'ещё' });
is($res->{json}{error}{code}, 'ticket_closed', 'replying on a closed ticket: ticket_closed');

my $mail = $hd->last_mail('ticket_closed', 'kate@example.com');
like($mail->{subject}, qr/^\[#$closes{solved}\] /, 'the closing e-mail');
my ($link) = $mail->{body} =~ m{(http://\S+/tickets/$closes{solved}/rate\?t=[\w-]{43})};
ok($link, '... carries a rating link');

# the audit: who, when, from, to
my ($rc, $out) = $hd->cli('check');
like($out, qr/^consistent$/m, 'the database is consistent');

# --- cancelled never comes back ---

$res = $ua->api('POST', "tickets/$closes{new}/reopen", { body => 'назад' });
is($res->{status}, 409, 'reopening a cancelled ticket: 409');
is($res->{json}{error}{code}, 'ticket_cannot_reopen', '... ticket_cannot_reopen');
$page = $ua->get("/tickets/$closes{new}");
like($page->{content}, qr/не может быть возвращено в работу/, '... the page says so');
like($page->{content}, qr{href="/tickets/new\?reference=$closes{new}"}, '... and links a new ticket');
unlike($page->{content}, qr/id="rate-ticket"/, '... and offers no rating: nothing was solved');
$res = $ua->api('POST', "tickets/$closes{new}/rating", { stars => 5 });
is($res->{status}, 409, 'rating a ticket the customer cancelled: 409 (SPEC §5.6)');
is($res->{json}{error}{code}, 'cancelled_not_rated', '... cancelled_not_rated');
like($res->{json}{error}{message}, qr/отменено/, '... saying why');
ok(!defined $ua->api('GET', "tickets/$closes{new}")->{json}{rating}{stars}, '... and no rating is kept');

# --- reopen inside the window ---

$res = $ua->api('POST', "tickets/$closes{solved}/reopen", {});
is($res->{status}, 422, 'reopening needs a message');
is($res->{json}{error}{field}, 'body', '... naming the body');
$page = $ua->get("/tickets/$closes{solved}");
like($page->{content}, qr/Вернуть в работу/, 'a closed ticket offers "Reopen"');
$res = $ua->api('POST', "tickets/$closes{solved}/reopen", { body => 'Проблема вернулась' });
is($res->{status}, 200, 'reopening inside the window');
is($res->{json}{status}, 'open', '... open again');
ok($hd->last_mail('ticket_reopened', 'kate@example.com'), '... with an e-mail');
$res = $ua->api('GET', "tickets/$closes{solved}");
my @events = map { "$_->{event}{from}>$_->{event}{to}" } grep { $_->{kind} eq 'event' } @{ $res->{json}{messages} };
is_deeply(\@events, [ 'new>solved', 'solved>closed', 'closed>open' ], '... every transition is in the thread');

# --- and outside it ---

my $late = new_ticket();
my $enh = new_ticket(type => 'enhancement');
$hd->staff_says($agent, $_, 'solution') for $late, $enh;
$ua->api('POST', "tickets/$_/close") for $late, $enh;
sleep 4.2;      # times are whole seconds: past 3 s for sure
$res = $ua->api('POST', "tickets/$late/reopen", { body => 'поздно' });
is($res->{status}, 409, 'after the window: 409');
is($res->{json}{error}{code}, 'reopen_window_passed', '... reopen_window_passed');
$page = $ua->get("/tickets/$late");
like($page->{content}, qr/Срок возврата обращения в работу истёк/, 'the page says the window passed');
like($page->{content}, qr{href="/tickets/new\?reference=$late"}, '... and links the new-ticket form');
$page = $ua->get("/tickets/new?reference=$late");
like($page->{content}, qr{name="reference" value="$late"}, 'the form carries the reference');
my $cont = new_ticket(reference => $late, subject => 'Продолжение');
$res = $ua->api('GET', "tickets/$cont");
is($res->{json}{reference}, $late, 'the new ticket refers to the old one');
like($ua->get("/tickets/$cont")->{content}, qr{href="/tickets/$late"}, '... with a link on its page');
is($hd->user('stranger')->api('POST', 'tickets', { subject => 's', description => 'd', category => 'technical',
                                                   type => 'bug', severity => 3, reference => $late })->{status},
   422, "a reference to someone else's ticket: 422");

$res = $ua->api('POST', "tickets/$enh/reopen", { body => 'доработка нужна' });
is($res->{json}{status}, 'open', 'an enhancement has the longer window');

# --- rating ---

my $rated = $closes{solved};
$hd->staff_says($agent, $rated, 'solution');
$ua->api('POST', "tickets/$rated/close");
$mail = $hd->last_mail('ticket_closed', 'kate@example.com');
($link) = $mail->{body} =~ m{(http://\S+/tickets/$rated/rate\?t=([\w-]{43}))};
my ($token) = $link =~ /t=([\w-]{43})/;

my $visitor = $hd->client;
$page = $visitor->get($link =~ s{^http://[^/]+}{}r);
is($page->{status}, 200, 'the rating link opens without logging in');
like($page->{content}, qr/Оцените работу технической поддержки/, '... showing the rating form');
unlike($hd->access_log, qr/\Q$token\E/, '... and the token never reaches the access log');

my $bad = $visitor->get("/tickets/$rated/rate?t=" . ('A' x 43));
is($bad->{status}, 404, 'a forged link: 404');
$bad = $visitor->get("/tickets/$late/rate?t=$token");
is($bad->{status}, 404, "another ticket's number with the token: 404");

my ($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
$res = $visitor->post_form("/tickets/$rated/rate", { csrf => $csrf, t => $token, stars => 9 });
is($res->{status}, 422, 'stars out of 1-5: 422');
$res = $visitor->post_form("/tickets/$rated/rate", { csrf => $csrf, t => $token, stars => 5,
                                                      comment => 'Быстро и по делу' });
is($res->{status}, 200, 'rating from the link');
like($res->{content}, qr/Спасибо за оценку/, '... thanks');
$res = $ua->api('GET', "tickets/$rated");
is($res->{json}{rating}{stars}, 5, 'the ticket has its rating');
is($res->{json}{rating}{comment}, 'Быстро и по делу', '... and comment');
$page = $visitor->get("/tickets/$rated/rate?t=$token");
like($page->{content}, qr/Вы уже оценили это обращение/, 'the link works once: then it says so');
$res = $visitor->post_form("/tickets/$rated/rate", { csrf => $csrf, t => $token, stars => 1 });
is($res->{status}, 409, '... and a second rating is refused');
is($ua->api('POST', "tickets/$rated/rating", { stars => 1 })->{json}{error}{code}, 'already_rated',
   '... also on the page');

# rating on the page (a ticket solved and then closed by its customer)
my $other = new_ticket();
$hd->staff_says($agent, $other, 'solution');
is($ua->api('POST', "tickets/$other/close")->{json}{status}, 'closed', 'another ticket solved and closed');
$res = $ua->api('POST', "tickets/$other/rating", { stars => 0 });
is($res->{json}{error}{field}, 'stars', 'the API names the bad field');
$page = $ua->get("/tickets/$other");
like($page->{content}, qr/id="rate-ticket"/, 'a closed ticket offers rating on its page');
$csrf = $ua->form_csrf("/tickets/$other");
$res = $ua->post_form("/tickets/$other/rating", { csrf => $csrf, stars => 3, comment => '' });
is($res->{status}, 303, 'rating by the form');
$page = $ua->get("/tickets/$other");
like($page->{content}, qr/Ваша оценка: <span class="rating" aria-label="3 \/ 5">★★★☆☆/, '... the page shows the stars');
unlike($page->{content}, qr/id="rate-ticket"/, '... and offers no second rating');
$res = $ua->api('POST', "tickets/$n/rating", { stars => 4 });
is($res->{json}{error}{code}, 'ticket_not_closed', 'an open ticket cannot be rated');

# cancelling an unsolved ticket from the page asks first (without JavaScript)
my $withdrawn = new_ticket();
$csrf = $ua->form_csrf("/tickets/$withdrawn");
$res = $ua->post_form("/tickets/$withdrawn/close", { csrf => $csrf });
is($res->{status}, 200, 'closing an unsolved ticket by the form: a page that asks first');
like($res->{content}, qr/Отменить обращение №$withdrawn\?/, '... naming the ticket');
like($res->{content}, qr/Отмена окончательна/, '... saying it is final');
like($res->{content}, qr/name="confirm" value="yes"/, '... with the confirming form');
is($ua->api('GET', "tickets/$withdrawn")->{json}{status}, 'new', '... and nothing changed yet');
$res = $ua->post_form("/tickets/$withdrawn/close", { csrf => $csrf, confirm => 'yes' });
is($res->{status}, 303, 'confirmed');
is($ua->api('GET', "tickets/$withdrawn")->{json}{status}, 'cancelled_by_customer', '... it is cancelled');

# a solution that fits is closed at once, and the page goes to the stars
my $fits = new_ticket();
$hd->staff_says($agent, $fits, 'solution');
$csrf = $ua->form_csrf("/tickets/$fits");
$page = $ua->get("/tickets/$fits");
like($page->{content}, qr/name="confirm" value="yes"/, 'a solved ticket\'s close button needs no question');
$res = $ua->post_form("/tickets/$fits/close", { csrf => $csrf, confirm => 'yes' });
is($res->{status}, 303, '"the solution fits": closed');
like($res->{headers}{location}, qr{/tickets/$fits\?notice=ticket_closed$}, '... and back to the ticket, its rating under the header (no jump)');

$hd->finish;
done_testing;
