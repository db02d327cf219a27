# Attacks on who may see and do what (SPEC §2, §12; issue 19, the access
# family): another customer's ticket, thread, file and certificate read and
# written by number; a customer on staff and admin routes; an agent outside
# a department; fields nobody may set sent anyway (mass assignment). Each
# case says what it proves.

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

my $ann = $hd->user('ann');
my $bob = $hd->user('bob');
my $cert = $hd->certificate($ann, $type);

my $res = $ann->post_multipart('tickets', { subject => 'Тайна Анны', description => 'Пароль от сейфа: 1234',
                                            category => 'technical', type => 'bug', severity => 3,
                                            certificate => $cert },
                               [ [ 'attachments', 'secret.txt', 'совершенно секретно' ] ], api => 1);
is($res->{status}, 201, "ann's ticket with a file");
my $n = $res->{json}{number};
my $file = $ann->api('GET', "tickets/$n")->{json}{messages}[0]{attachments}[0]{url};

# --- reads by number ---

is($bob->api('GET', "tickets/$n")->{status}, 404, "another customer's ticket by number: 404, its existence not told");
is($bob->get("/tickets/$n")->{status}, 404, "... its page: 404");
is($bob->get($file)->{status}, 404, "... its file by URL: 404");
unlike($bob->get($file)->{content}, qr/секретно/, '... and not a byte of it');
is($hd->client->get($file)->{status} =~ /^(302|303|401|404)$/ ? 1 : 0, 1, "a visitor gets no file either");
my @found = grep { $bob->api('GET', "tickets/$_")->{status} == 200 } $n - 5 .. $n + 5;
is(scalar @found, 0, 'guessing the numbers around it finds nothing');

# --- writes by number ---

is($bob->api('POST', "tickets/$n/messages", { body => 'я тоже тут' })->{status}, 404,
   "replying on another customer's ticket: 404");
is($bob->api('POST', "tickets/$n/close")->{status}, 404, "... closing it: 404");
is($bob->api('POST', "tickets/$n/reopen", { body => 'x' })->{status}, 404, "... reopening it: 404");
is($bob->api('POST', "tickets/$n/rating", { stars => 1 })->{status}, 404, "... rating it: 404");
my $t = $ann->api('GET', "tickets/$n")->{json};
is(scalar @{ $t->{messages} }, 1, "... and ann's thread still has her message only");
is($t->{status}, 'new', '... and its status is unchanged');

# another customer's certificate
$res = $bob->api('POST', 'tickets', { subject => 'Чужой сертификат', description => 'x', category => 'technical',
                                      type => 'bug', severity => 3, certificate => $cert });
is($res->{status} >= 400 && $res->{status} < 500 ? 1 : 0, 1, "a ticket on another customer's certificate is refused")
    or diag($res->{content});
is($bob->api('GET', 'tickets')->{json}{total}, 0, '... and no ticket was made');
is($bob->api('POST', 'certificates', { number => $cert })->{status} =~ /^4/ ? 1 : 0, 1,
   "registering another customer's certificate without its code is refused");

# --- a customer on staff and admin routes ---

for my $route ([ GET => 'staff/tickets' ], [ GET => "staff/tickets/$n" ], [ PATCH => "staff/tickets/$n" ],
               [ POST => "staff/tickets/$n/messages" ], [ GET => 'staff/customers?q=ann' ],
               [ GET => 'staff/search?q=%D1%81%D0%B5%D0%B9%D1%84' ], [ POST => 'staff/kb/articles' ],
               [ GET => 'admin/products' ], [ GET => 'admin/companies' ], [ GET => 'admin/staff' ],
               [ GET => 'admin/outbox' ], [ GET => 'admin/mail' ]) {
    my ($m, $path) = @$route;
    my $body = $m eq 'GET' ? undef : { kind => 'note', body => 'x', priority => 'critical', title => 't' };
    $res = $bob->api($m, $path, $body);
    is($res->{status} == 403 || $res->{status} == 404 ? 1 : 0, 1, "a customer on $m /api/v1/$path: $res->{status}, refused");
}
is($ann->api('GET', "tickets/$n")->{json}{priority}, 'normal', '... and nothing they sent changed the ticket');
for my $page ('/staff/tickets', "/staff/tickets/$n", '/admin/outbox', '/admin/staff') {
    $res = $bob->get($page);
    is($res->{status} == 403 || $res->{status} == 404 ? 1 : 0, 1, "a customer on the page $page: refused");
}

# --- an agent outside the ticket's department ---

my $other = $hd->staff('outsider', 'agent', departments => '2');
is($other->api('GET', "staff/tickets/$n")->{status}, 404, "an agent of another department: the ticket is 404");
is($other->api('POST', "staff/tickets/$n/messages", { kind => 'reply', body => 'x' })->{status}, 404,
   '... and cannot answer it');
is($other->api('PATCH', "staff/tickets/$n", { priority => 'critical' })->{status}, 404, '... nor change it');
ok(!grep({ $_->{number} == $n } @{ $other->api('GET', 'staff/tickets?queue=all')->{json}{tickets} }),
   '... nor see it in the queue');
my $agent = $hd->staff('inside', 'agent', departments => '1');
is($agent->api('GET', "staff/tickets/$n")->{status}, 200, "an agent of its department sees it (the boundary is the department)");
is($agent->api('GET', 'admin/staff')->{status}, 403, 'an agent on the administrators\' routes: 403');

# --- mass assignment ---

$res = $ann->api('POST', 'tickets', { subject => 'Поля, которых нет', description => 'x', category => 'technical',
                                      type => 'bug', severity => 3, status => 'closed', priority => 'critical',
                                      owner => $agent->{id}, department => 3, number => 1, author => $bob->{id} });
is($res->{status}, 201, 'a ticket sent with status, priority, owner, department, number and author');
my $m = $ann->api('GET', "tickets/$res->{json}{number}")->{json};
is($m->{status}, 'new', '... is new all the same');
is($m->{priority}, 'low', '... of the priority it earns (no certificate: low)');
ok(!$m->{owner}, '... owned by nobody');
isnt($res->{json}{number}, 1, '... numbered by the portal');
is($bob->api('GET', "tickets/$res->{json}{number}")->{status}, 404, "... and ann's, not bob's");

$res = $ann->api('PATCH', 'me', { name => 'Анна', role => 'administrator', id => 1, email_confirmed => JSON::PP::true() });
is($ann->api('GET', 'me')->{json}{role}, 'customer', 'PATCH /me with role: still a customer');
$res = $hd->client->api('POST', 'accounts', { email => 'eve@example.com', login => 'eve', password => 'eve-password-1',
                                              name => 'Eve', role => 'administrator' });
is($res->{status}, 202, 'a registration sent with role administrator');
my $eve = $hd->client;
is($eve->api('POST', 'email/confirm', { token => $hd->register_token('eve@example.com') })->{status}, 201,
   '... made by its link');
$eve->login('eve', 'eve-password-1');
is($eve->api('GET', 'me')->{json}{role}, 'customer', '... makes a customer');
is($eve->api('GET', 'admin/staff')->{status}, 403, '... who has no administrator route');

$hd->finish;

done_testing;
