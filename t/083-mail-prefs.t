# Which mail an account gets (SPEC §7.1, the seeds' promise of every status
# change by mail): customers may mute only what does not concern a ticket's
# status, staff the kinds that are theirs; in the profile, through the API,
# or by the one-click link every such mail carries (RFC 8058: a POST with
# no cookie and no CSRF token; the signed link is the proof).

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;

my $t = Helpdesk::Test->new;
my $relay = Helpdesk::Smtp->start(dir => $t->dir . '/relay');
$t->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . ' from=support@example.com starttls=off retry=1s;'
           . "\n    helpdesk_url http://127.0.0.1:" . $t->port . '/;';
$t->start;

my $ivan = $t->user('ivan');
my $agent = $t->staff('agent', 'agent');

sub kinds_to { my ($to) = @_; map { $_->{kind} } grep { $_->{to} eq $to } $t->outbox }

my $me = $ivan->api('GET', 'me')->{json};
is_deeply($me->{mail_mute}, [], 'nothing muted at first');

# a customer may mute the copies of own replies and company news, nothing else
my $res = $ivan->api('PUT', 'me/mail', { mail_mute => ['ticket_status'] });
is($res->{status}, 422, 'a status mail cannot be muted');
is($res->{json}{error}{field}, 'mail_mute', 'the field is named');
$res = $ivan->api('PUT', 'me/mail', { mail_mute => ['assigned'] });
is($res->{status}, 422, 'nor a staff kind by a customer');
$res = $ivan->api('PUT', 'me/mail', { mail_mute => 'own_reply' });
is($res->{status}, 422, 'a list, not a string');

my $n = $t->ticket($ivan);
$ivan->api('POST', "tickets/$n/messages", { body => 'one' });
my $mail = $relay->wait_for(to => 'ivan@example.com', subject => qr/Добавлен ответ/);
ok($mail, 'a copy of the reply comes');
my ($link) = ($mail->{'list-unsubscribe'} // '') =~ /^<(.*)>$/;
like($link, qr{/unsubscribe\?token=[\w-]{38}$}, 'with its one-click link');

# the link as a mail client follows it: a POST, nothing else
(my $path = $link) =~ s{^https?://[^/]+}{};
my $stranger = $t->client;
$res = $stranger->request('POST', $path, content => 'List-Unsubscribe=One-Click',
                          headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->{status}, 200, 'one click: no login, no CSRF token');
like($res->{content}, qr/id="unsubscribed"/, 'the page says it is done');
is_deeply($ivan->api('GET', 'me')->{json}{mail_mute}, ['own_reply'], 'the copies are muted');

my $before = grep { $_ eq 'ticket_reply' } kinds_to('ivan@example.com');
$ivan->api('POST', "tickets/$n/messages", { body => 'two' });
$t->staff_says($agent, $n, 'reply', 'staff answer');
$relay->wait_for(to => 'ivan@example.com', subject => qr/Ответ специалиста/);
is(scalar(grep { $_ eq 'ticket_reply' } kinds_to('ivan@example.com')), $before,
   'no copy is even written any more');
ok(grep({ $_ eq 'ticket_staff_reply' } kinds_to('ivan@example.com')),
   'the staff reply still comes: it concerns the ticket');

# a forged or changed token does nothing
(my $bad = $path) =~ s/token=(.)/'token=' . ($1 eq 'A' ? 'B' : 'A')/e;
is($stranger->request('POST', $bad)->{status}, 404, 'a forged link is not found');
is($stranger->get('unsubscribe?token=short')->{status}, 404, 'nor a short one');
unlike($t->access_log, qr/token=[\w-]{38}/, 'the link never reaches the access log');

# the page a person sees asks first
$res = $stranger->get($path);
is($res->{status}, 200, 'opening the link in a browser');
like($res->{content}, qr/Больше не присылать письма:/, 'asks before muting');

# the profile: boxes of what may be muted, checked when wanted
$res = $ivan->get('profile');
like($res->{content}, qr/name="want_own_reply" value="1">/, 'the profile shows the copies unwanted');
like($res->{content}, qr/name="want_company" value="1" checked>/, 'company news wanted');
unlike($res->{content}, qr/want_assigned/, 'no staff kinds for a customer');
$res = $ivan->post_form('profile/mail', { csrf => $ivan->form_csrf('profile'),
                                          want_own_reply => 1, want_company => 1 });
is($res->{status}, 303, 'the form saves');
is_deeply($ivan->api('GET', 'me')->{json}{mail_mute}, [], 'both wanted again');

# staff mute their own kinds
$res = $agent->api('PUT', 'me/mail', { mail_mute => ['customer_reply', 'sla_at_risk'] });
is($res->{status}, 200, 'an agent mutes customers\' replies');
is_deeply($res->{json}{mail_mute}, ['customer_reply', 'sla_at_risk'], 'and says what is muted');
my $told = grep { $_ eq 'ticket_customer_reply' } kinds_to('agent@support.example');
my $n2 = $t->ticket($ivan, subject => 'для агента');
$t->staff_says($agent, $n2, 'reply', 'taken');
$ivan->api('POST', "tickets/$n2/messages", { body => 'the customer writes' });
$relay->wait_for(to => 'ivan@example.com', subject => qr/\[#$n2\] Добавлен ответ/);
sleep 1;
is(scalar(grep { $_ eq 'ticket_customer_reply' } kinds_to('agent@support.example')), $told,
   'the agent is not told of the reply');
$res = $agent->get('profile');
like($res->{content}, qr/name="want_assigned" value="1" checked>/, 'the agent\'s profile lists staff kinds');

$t->finish;
done_testing;
