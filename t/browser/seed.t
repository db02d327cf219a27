# The seed services' flows in a real browser (issue 16): an MSA contract's
# activation asked for and approved; an APNs request's CSR checked.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp qw(tempdir);
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $tmp = tempdir(CLEANUP => 1);
system("openssl req -new -newkey rsa:2048 -nodes -keyout $tmp/push.key -subj '/CN=com.example.push/O=Example' -out $tmp/push.csr 2>/dev/null") == 0
    or die 'openssl req failed';
open my $f, '>', "$tmp/notes.csr" or die; print $f "just a text file renamed\n"; close $f;

my $hd = Helpdesk::Test->new->start;
my ($rc, $out) = $hd->cli('products', 'add', 'Kaspersky Endpoint Security', '--versions', '12.0');
($rc, $out) = $hd->cli('cert-types', 'add', '--name', 'MSA Plus', '--product', 'Kaspersky Endpoint Security',
                       '--term', 12, '--kind', 'contract', '--limit', 5, '--level', 'msa_plus',
                       '--premium', 10, '--contacts', 2, '--department', 1);
die "cert-types: $out" if $rc;
my ($type) = $out =~ /certificate type (\d+)/;
my $owner = $hd->user('owner');
$owner->api('POST', 'company', { name => 'Example Ltd' });
my $cert = $hd->certificate($owner, $type, holder => 'company');
$hd->staff('agent', 'administrator');

browser_script('seed.mjs', $hd->url('/'), 'owner', 'owner-password-1', 'agent', 'agent-password-1',
               $cert, "$tmp/push.csr", "$tmp/notes.csr");
$hd->finish;
done_testing;
