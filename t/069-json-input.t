# JSON input means its types (SPEC §9, §12): a number is an integer (or
# its digits), a boolean true or false (or 1, 0), text a string; anything
# else ("", a real, an array...) is refused with the field named and
# nothing changes. A form's text ("3", "", "on") is read as before.
# \u0000 and integers past 64 bits name their field too.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->user('typed');
my $agent = $hd->staff('typist', 'agent');

my %ticket = (subject => 'Типы', description => 'Поля JSON', category => 'technical', type => 'bug',
              severity => 3);
my $before = $ua->api('GET', 'tickets')->{json}{total};

sub refused {
    my ($res, $field, $what) = @_;
    ok($res->{status} == 400 || $res->{status} == 422, "$what: refused ($res->{status})");
    is($res->{json}{error}{field}, $field, "... naming $field");
}

refused($ua->api('POST', 'tickets', { %ticket, severity => '' }), 'severity', 'severity as ""');
refused($ua->api('POST', 'tickets', { %ticket, severity => 2.5 }), 'severity', 'severity as 2.5');
refused($ua->api('POST', 'tickets', { %ticket, severity => JSON::PP::true }), 'severity', 'severity as true');
refused($ua->api('POST', 'tickets', { %ticket, premium => '' }), 'premium', 'premium as ""');
refused($ua->api('POST', 'tickets', { %ticket, premium => 'yes' }), 'premium', 'premium as "yes"');
refused($ua->api('POST', 'tickets', { %ticket, premium => 'true' }), 'premium', 'premium as "true"');
refused($ua->api('POST', 'tickets', { %ticket, premium => 2 }), 'premium', 'premium as 2');
refused($ua->api('POST', 'tickets', { %ticket, subject => 5 }), 'subject', 'subject as a number');
refused($ua->api('POST', 'tickets', { %ticket, subject => ['a'] }), 'subject', 'subject as an array');

# the bodies jansson itself refuses: \u0000, an integer past 64 bits
my $raw = sub {
    my ($body) = @_;
    return $ua->request('POST', 'api/v1/tickets', content => $body,
                        headers => { 'Content-Type' => 'application/json', 'X-CSRF-Token' => $ua->csrf });
};
my $res = $raw->('{"subject":"a\u0000b","description":"x","category":"technical","type":"bug","severity":3}');
refused($res, 'subject', 'a \u0000 in the subject');
is($res->{json}{error}{code}, 'field_not_text', '... as not text');
$res = $raw->('{"subject":"a","description":"x","category":"technical","type":"bug","severity":18446744073709551617}');
is($res->{status}, 400, 'an integer past 64 bits: 400');
is($res->{json}{error}{code}, 'number_too_large', '... number_too_large');
is($res->{json}{error}{field}, 'severity', '... naming severity');
is($raw->('{"subject": "a",')->{json}{error}{code}, 'json_invalid', 'broken JSON is still json_invalid');

is($ua->api('GET', 'tickets')->{json}{total}, $before, 'none of them made a ticket');

# what a form sends is text, and stays fine
my $csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_form('/tickets/new', { csrf => $csrf, %ticket, severity => '3', premium => '' });
like($res->{status}, qr/^30[23]$/, 'the form with severity "3" and premium "" makes the ticket');
is($ua->api('GET', 'tickets')->{json}{total}, $before + 1, '... one ticket');

# the version a staff change was made against
my $n = $hd->ticket($ua, subject => 'Версия');
for my $bad (1.5, JSON::PP::true, [1], { v => 1 }, 'seven', '') {
    my $shown = ref $bad ? JSON::PP->new->allow_nonref->canonical->encode($bad) : "\"$bad\"";
    $shown = $bad if !ref $bad && $bad =~ /^[\d.]+$/;
    refused($agent->api('POST', "staff/tickets/$n/messages", { kind => 'reply', body => 'x', version => $bad }),
            'version', "version as $shown");
}
my $thread = $ua->api('GET', "tickets/$n")->{json}{messages};
is(scalar(grep { $_->{kind} eq 'reply' } @$thread), 0, '... and no reply was posted');
is($agent->api('POST', "staff/tickets/$n/messages", { kind => 'reply', body => 'x' })->{status}, 201,
   'without a version the reply goes');

# an administrator's: versions are a list, "code" (issue one) a boolean
my $admin = $hd->staff('typeadmin', 'administrator');
my $products = $admin->api('GET', 'admin/products')->{json}{products} // [];
refused($admin->api('POST', 'admin/products', { name => 'Строкой', versions => "1.0\n2.0" }), 'versions',
        'versions as a string');
refused($admin->api('POST', 'admin/products', { name => 'Числом', versions => 5 }), 'versions', 'versions as a number');
is(scalar @{ $admin->api('GET', 'admin/products')->{json}{products} // [] }, scalar @$products, '... no product made');
is($admin->api('POST', 'admin/products', { name => 'Списком', versions => ['1.0'] })->{status}, 201,
   'versions as a list: made');
my $type = $hd->catalog(name => 'Сертификат для типов', limit => 2) + 0;
for my $bad (1, 'yes', [JSON::PP::true]) {
    my $shown = ref $bad ? '[true]' : $bad =~ /^\d+$/ ? $bad : "\"$bad\"";
    refused($admin->api('POST', 'admin/certificates', { type => $type, number => "T-$shown", code => $bad }),
            'code', "code as $shown");
}

$hd->finish;
done_testing;
