# What a newcomer reads in the first hour (issue 28), page by page: the
# header each role gets (staff without the customers' links, their search box
# searching tickets), words instead of codes (how a ticket came, a mail's
# kind), the outbox opening where there is something to see, the address
# confirmation without a reminder to confirm, one organisation field on the
# registration, API tokens behind "for developers", "Cancel" where closing
# an unsolved ticket cancels it, presence told as a warning. The layout
# itself is measured in a real browser (t/browser/a11y.t).

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Smtp;
use Time::HiRes qw(sleep);

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new;
my $relay = Helpdesk::Smtp->start(dir => $hd->dir . '/relay');
$hd->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . " from=support\@example.com timeout=5s retry=1s;";
$hd->start;
my $admin = $hd->staff('boss', 'administrator');
my $agent = $hd->staff('agent', 'agent');
my $olga = $hd->user('olga');
my $n = $hd->ticket($olga, subject => 'Не подписывается документ');

# --- the header ----------------------------------------------------------------

my $page = $olga->get('tickets')->{content};
my ($header) = $page =~ m{(<header class="top".*?</header>)}s;
like($header, qr{href="/tickets/new"}, 'a customer\'s header: create a ticket');
like($header, qr{href="/certificates"}, '... the certificates');
like($header, qr{<form class="nav-search" role="search" method="get" action="/kb/search">},
     '... a search box that searches the knowledge base');
like($header, qr{class="menu-button" href="#site-nav"}, '... and a menu button for narrow screens');
unlike($header, qr{class="button primary}, '... no primary button of its own (the page has its one)');

for my $staff ([$agent, 'an agent'], [$admin, 'an administrator']) {
    ($header) = $staff->[0]->get('staff/tickets')->{content} =~ m{(<header class="top".*?</header>)}s;
    unlike($header, qr{href="/tickets"|href="/certificates"|href="/company"|href="/tickets/new"},
           "$staff->[1]'s header has none of the customers' links");
    like($header, qr{<form class="nav-search" role="search" method="get" action="/staff/search">},
         '... and its search box searches tickets');
    like($header, qr{href="/staff/tickets"}, '... the queue');
}
like($admin->get('staff/tickets')->{content}, qr{<header.*href="/admin".*</header>}s, 'the administrator\'s has the administration');
unlike($agent->get('staff/tickets')->{content}, qr{<header.*href="/admin".*</header>}s, 'the agent\'s does not');

# --- words, not codes ------------------------------------------------------------

$page = $agent->get("staff/tickets/$n")->{content};
like($page, qr/поступило через API/, 'the staff page says how the ticket came, in words');
unlike($page, qr/Канал: (web|api)|версия \d/, '... no channel code, no write counter');

$page = $olga->get("tickets/$n")->{content};
like($page, qr/id="close-ticket">Отменить обращение</, 'closing an unsolved ticket is called what it does: cancel');
$hd->staff_says($agent, $n, 'solution', 'Обновите драйвер.');
$page = $olga->get("tickets/$n")->{content};
like($page, qr/class="button primary" type="submit" id="close-ticket">Решение подошло/, 'a solved one is closed by "the solution fits"');
like($page, qr/id="live-others" class="notice warn"/, 'who else has the ticket open is a warning, not a success');

# --- the outbox opens where there is something ------------------------------------

my ($rc, $out);
for (1 .. 100) {
    last unless grep { $_->{state} eq 'queued' } $hd->outbox;
    sleep 0.1;
}
$page = $admin->get('admin/outbox')->{content};
like($page, qr{id="outbox-all" href="[^"]*"\s*aria-current="page"}, 'with nothing queued the outbox opens on all its mail');
like($page, qr{<table class="list" id="outbox">}, '... listing it');
{
    my $res = $admin->api('POST', 'admin/regulations', { body_ru => "# Регламент\n\nТекст.", body_en => "# Rules\n\nText.",
                                                       effective => day(20) });
    is($res->{status}, 201, 'an edition of the regulations is published');
}
($rc, $out) = $hd->cli('sweep', '--now', '@' . time);
$page = $admin->get('admin/outbox?state=all')->{content};
like($page, qr/Новая редакция регламента/, 'its announcement is named in words');
unlike($page, qr/>regulations_announced</, '... not by its code');

# --- pages that asked too much ------------------------------------------------------

$page = $olga->get('profile')->{content};
like($page, qr{<details class="card" id="developers">\s*<summary>Для разработчиков}, 'API tokens wait behind "for developers"');
$page = $hd->client->get('register')->{content};
is(scalar(() = $page =~ /autocomplete="organization"/g), 1, 'the registration asks for the organisation once');

# the registration's link opens a page that finishes it, in one press
my $pavel = $hd->client(local_address => Helpdesk::Test::user_address());
is($pavel->api('POST', 'accounts', { email => 'pavel@example.com', login => 'pavel',
                                     password => 'pavel-password-1', name => 'Павел' })->{status},
   202, 'a registration waits for its link');
my ($token) = eval { $hd->register_token('pavel@example.com') };
ok($token, 'the registration link');
$page = $pavel->get("email/confirm?token=$token")->{content};
like($page, qr{<h1[^>]*>Завершите регистрацию</h1>}, 'its page says what it does');
is(scalar(() = $page =~ /class="[^"]*\bprimary\b/g), 1, '... with one primary action');
unlike($page, qr/id="mail-banner"/, '... and no banner asking to confirm');

sub day {
    my ($d) = @_;
    my @t = gmtime(time + $d * 86400);
    return sprintf('%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3]);
}

$hd->stop;
unlike($hd->error_log, qr/\[(alert|emerg)\]/, 'no alert in the error log');

done_testing;
