# Products under protection areas, versions with builds, the certified
# mark and a recommended update (Kaspersky block 8, issue 16): the form
# offers area, product, then version; when the version written about has an
# update with important fixes, the form says so once and the customer may
# go on; the API answers the ticket with the recommendation.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;

my ($rc, $out) = $t->cli('products', 'add', 'Kaspersky Endpoint Security для Windows', '--area', 'Защита рабочих мест',
    '--versions', "12.3 | build 12.3.0.493 | update https://support.example.com/kes/12.5 Исправлена ошибка BSOD при проверке памяти\n"
                . "12.5 | build 12.5.0.542 | certified");
is($rc, 0, 'a product with an area, builds, a certified version and an update') or diag($out);
my ($kes) = $out =~ /product (\d+)/;
($rc, $out) = $t->cli('products', 'add', 'Kaspersky Security для почтовых серверов', '--area', 'Защита почты',
                      '--versions', '9.0,9.1');
is($rc, 0, 'another, in another area');
($rc, $out) = $t->cli('products', 'add', 'Плохой продукт', '--versions', "1.0 | update ftp://x.example fixes");
isnt($rc, 0, 'an update link that is not http(s) is refused');
like($out, qr/versions/i, '... naming the versions');
($rc, $out) = $t->cli('products', 'add', 'Плохой продукт', '--versions', "1.0 | certifed");
isnt($rc, 0, 'a word that is not one of a version line is refused');

my $admin = $t->staff('boss', 'administrator');
my $res = $admin->api('GET', 'admin/products');
my ($p) = grep { $_->{id} == $kes } @{ $res->{json}{products} // [] };
is($p->{area}, 'Защита рабочих мест', 'the admin API gives the area');

my $ua = $t->user('ivan');

# --- the form: area, product, version ------------------------------------------

my $page = $ua->get('/tickets/new')->{content};
like($page, qr{<optgroup label="Защита рабочих мест"><option value="$kes">Kaspersky Endpoint Security для Windows</option></optgroup>},
     'the form groups products under their protection areas');
like($page, qr{<optgroup label="Защита почты">}, '... each area');
like($page, qr{<option value="12\.5">Kaspersky Endpoint Security для Windows, 12\.5\.0\.542 · сертифицированная версия</option>},
     '... and offers the versions with their builds and the certified mark');

# --- the recommendation --------------------------------------------------------------

my %ticket = (subject => 'Синий экран при проверке', description => 'После запуска проверки памяти',
              category => 'technical', type => 'bug', severity => 2, product => $kes, product_version => '12.3');
my $csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_form('/tickets/new', { csrf => $csrf, %ticket });
is($res->{status}, 200, 'an older version with an update: the form again, not a ticket');
like($res->{content}, qr{id="update-advice".*Исправлена ошибка BSOD при проверке памяти.*href="https://support\.example\.com/kes/12\.5"}s,
     '... recommending the update first, with its link');
like($res->{content}, qr{name="update_seen" value="1"}, '... and the customer may go on');
unlike($res->{content}, qr/field-error/, '... which is no error');
is(scalar @{ $ua->api('GET', 'tickets')->{json}{tickets} }, 0, '... nothing is created yet');

$res = $ua->post_form('/tickets/new', { csrf => $csrf, %ticket, update_seen => 1 });
is($res->{status}, 303, 'sent anyway: the ticket is created');
is(scalar @{ $ua->api('GET', 'tickets')->{json}{tickets} }, 1, '... one ticket');

$res = $ua->post_form('/tickets/new', { csrf => $csrf, %ticket, product_version => '12.5' });
is($res->{status}, 303, 'the recommended version itself: straight on');

# the API creates it and says what to install
$res = $ua->api('POST', 'tickets', \%ticket);
is($res->{status}, 201, 'the API creates the ticket');
is($res->{json}{recommended_update}{link}, 'https://support.example.com/kes/12.5', '... and answers the update to install');
like($res->{json}{recommended_update}{text}, qr/BSOD/, '... with what it fixes');
$res = $ua->api('POST', 'tickets', { %ticket, product_version => '12.5' });
ok(!exists $res->{json}{recommended_update}, '... none for the newest');

# an edit keeps the area
($rc, $out) = $t->cli('products', 'edit', $kes, '--name', 'KES для Windows');
is($rc, 0, 'an edit of the name');
($p) = grep { $_->{id} == $kes } @{ $admin->api('GET', 'admin/products')->{json}{products} };
is($p->{area}, 'Защита рабочих мест', '... keeps the area');

$t->stop;
($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
