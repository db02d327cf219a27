# Metrics (SPEC §10.4): the Prometheus text a location with
# "helpdesk_metrics" answers: tickets by department and status, the SLA's
# states, the outbox's depth, requests and latency by route, counted by
# every worker; restricted with allow/deny like any location; the
# directive's mistakes fail nginx -t.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode ();
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(server => <<'EOF')->start;
        location = /metrics {
            helpdesk_metrics;
            allow 127.0.0.1;
            deny all;
        }

        location = /metrics-elsewhere {
            helpdesk_metrics;
            allow 10.1.2.3;
            deny all;
        }
EOF

sub metrics {
    my $res = $hd->client->get('/metrics');
    is($res->{status}, 200, 'the metrics answer 200');
    my $c = $res->{content};
    return utf8::is_utf8($c) ? $c : Encode::decode('UTF-8', $c);
}

# a sample's value by its name and labels (in any order), or undef
sub sample {
    my ($text, $name, %labels) = @_;
    for my $line (split /\n/, $text) {
        next unless $line =~ /^\Q$name\E\{([^}]*)\} (\S+)$/;
        my ($l, $v) = ($1, $2);
        my %got = $l =~ /(\w+)="((?:[^"\\]|\\.)*)"/g;
        next if grep { ($got{$_} // '') ne $labels{$_} } keys %labels;
        return $v;
    }
    return undef;
}

my $text = metrics();
like($text, qr/^# TYPE helpdesk_tickets gauge$/m, 'the tickets gauge is declared');
like($text, qr/^# TYPE helpdesk_requests_total counter$/m, 'the requests counter is declared');
like($text, qr/^# TYPE helpdesk_request_duration_seconds histogram$/m, 'the latency histogram is declared');
is(sample($text, 'helpdesk_tickets', department => 'Базовая поддержка', status => 'new'), 0,
   'no tickets yet');

my $type = $hd->catalog;
my $kate = $hd->user('kate');
my $admin = $hd->staff('boss', 'administrator');
my @n = map { $hd->ticket($kate, subject => "Problem $_") } 1 .. 3;
$hd->staff_says($admin, $n[0], 'info_request', 'Which version?');
$hd->staff_says($admin, $n[1], 'solution', 'Update it.');
is($kate->api('POST', "tickets/$n[1]/close")->{status}, 200, 'one ticket is closed');
$kate->get('/tickets') for 1 .. 5;
is($kate->get('/tickets/999999')->{status}, 404, 'a missing ticket: 404');

$text = metrics();
is(sample($text, 'helpdesk_tickets', department => 'Базовая поддержка', status => 'new'), 1,
   'tickets by status: one new');
is(sample($text, 'helpdesk_tickets', department => 'Базовая поддержка', status => 'awaiting_customer'), 1,
   '... one awaiting the customer');
is(sample($text, 'helpdesk_tickets', department => 'Базовая поддержка', status => 'closed'), 1,
   '... one closed');
is(sample($text, 'helpdesk_tickets', department => 'Расширенная поддержка', status => 'new'), 0,
   '... none in another department');
is(sample($text, 'helpdesk_tickets_sla', department => 'Базовая поддержка', state => 'breached'), 0,
   'none past the SLA');
my $mails = grep { $_->{state} ne 'sent' } $hd->outbox;
is(sample($text, 'helpdesk_outbox_depth'), undef, 'the outbox depth has no labels');
like($text, qr/^helpdesk_outbox_depth $mails$/m, "the outbox depth: $mails waiting");
like($text, qr/^helpdesk_up 1$/m, 'up');

# requests by route: both workers' counts, by status class
my $pages = sample($text, 'helpdesk_requests_total', route => 'tickets', method => 'GET', code => '2xx');
ok(defined $pages && $pages >= 5, "the ticket list's requests are counted ($pages)");
my $missing = sample($text, 'helpdesk_requests_total', route => 'ticket', method => 'GET', code => '4xx');
ok(defined $missing && $missing >= 1, 'the 404 is counted as 4xx');
my $created = sample($text, 'helpdesk_requests_total', route => 'api.tickets', method => 'POST', code => '2xx');
is($created, 3, 'three tickets created through the API');
my $count = sample($text, 'helpdesk_request_duration_seconds_count', route => 'tickets', method => 'GET');
is($count, $pages, 'the histogram counts the same requests');
my $inf = sample($text, 'helpdesk_request_duration_seconds_bucket', route => 'tickets', method => 'GET',
                 le => '+Inf');
is($inf, $count, 'the +Inf bucket holds them all');
my $fast = sample($text, 'helpdesk_request_duration_seconds_bucket', route => 'tickets', method => 'GET',
                  le => '0.001');
ok($fast <= $inf, 'the buckets grow');

# a monotonic microsecond clock: fast requests have a time, not 0
my $sum = sample($text, 'helpdesk_request_duration_seconds_sum', route => 'tickets', method => 'GET');
like($sum, qr/^\d+\.\d{6}$/, 'the sum has microseconds');
cmp_ok($sum, '>', 0, "... and sub-millisecond requests add to it ($sum s for $count)");
my @le = $text =~ /^helpdesk_request_duration_seconds_bucket\{route="tickets",method="GET",le="([^"]+)"\}/mg;
is_deeply(\@le, [qw(0.00025 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf)],
          'the buckets are the 1-2.5-5 series from 0.25 ms to 10 s');
my ($since) = $text =~ /^helpdesk_requests_created_seconds (\d+)$/m;
ok($since && abs($since - time) < 600, 'the counters say when they started (a restart resets them)');

$kate->get('/tickets');
$text = metrics();
is(sample($text, 'helpdesk_requests_total', route => 'tickets', method => 'GET', code => '2xx'), $pages + 1,
   'one request more, counted once');

# a reload keeps the counts
$hd->reload;
$text = metrics();
is(sample($text, 'helpdesk_requests_total', route => 'tickets', method => 'GET', code => '2xx'), $pages + 1,
   'the counts survive a reload');
is(($text =~ /^helpdesk_requests_created_seconds (\d+)$/m)[0], $since, '... and so does their start');

# allow/deny: another address only
is($hd->client->get('/metrics-elsewhere')->{status}, 403, 'a location allowing another address: 403');

# the directive takes no value and belongs in a location
my ($rc, $out) = $hd->nginx_t(server => "location = /m { helpdesk_metrics on; }");
ok($rc != 0, "helpdesk_metrics with a value fails nginx -t");
like($out, qr/helpdesk_metrics/, '... naming the directive');

$hd->finish;
done_testing;
