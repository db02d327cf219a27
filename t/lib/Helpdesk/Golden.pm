package Helpdesk::Golden;

# Golden answers: with HELPDESK_GOLDEN=DIR, every answer a test's clients get
# (the API's JSON and the pages' HTML) is written to DIR/<test>.golden, what
# changes from run to run (ports, tokens, times, hashes) put in words, so
# that two runs of the suite can be compared answer by answer
# (t/lib/golden-compare): a reshaping that must not change what users see is
# checked against the answers recorded before it. Requests of forked
# children (concurrency tests) are left out: their order is the scheduler's.

use strict;
use warnings;
use utf8;

use File::Basename qw(basename);
use File::Path qw(make_path);
use JSON::PP;

my $DIR = $ENV{HELPDESK_GOLDEN};
my $MAIN = $$;
my $seq = 0;
my $json = JSON::PP->new->utf8->canonical->pretty;

# answers that are measurements, not views: never the same twice
my $SKIP = qr{^/(?:metrics|api/v1/status|static/|api/v1/staff/queue/live|_helpdesk_files/)};

sub enabled { defined $DIR && length $DIR && $$ == $MAIN }

# what differs between two runs of the same code, in words
sub normalize {
    my ($text) = @_;
    for ($text) {
        s{https?://127\.0\.0\.1:\d+}{http://HOST}g;
        s{127\.\d+\.\d+\.\d+(?::\d+)?}{ADDRESS}g;
        s{/tmp/[\w./-]+}{/TMP}g;
        s{\b[0-9a-f]{64}\b}{SHA256}gi;
        s{\b[0-9a-f]{16,40}\b}{HEX}gi;
        s{\bpid \d+}{pid PID}g;
        s{\bport \d+}{port PORT}g;
        s{\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b}{CODE}g;
        # tokens: the session, CSRF, links, unsubscribe, API tokens
        s{(?<![\w-])[A-Za-z0-9_-]{38,}(?![\w-])}{TOKEN}g;
        s{hd_[a-z]+_[A-Za-z0-9_-]{20,}}{APITOKEN}g;
        # times: ISO, epochs, clock readings, dates in words and numbers
        s{\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?}{TIME}g;
        s{\b\d{4}-\d\d-\d\d\b}{DATE}g;
        s{\b\d\d\.\d\d\.\d{4}\b}{DATE}g;
        s{\b1[7-9]\d{8}(?:\.\d+)?\b}{EPOCH}g;
        s{\b\d{1,2}:\d\d(?::\d\d)?\b}{HH:MM}g;
        s{\b\d{1,2} (?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|January|February|March|April|May|June|July|August|September|October|November|December)(?: \d{4})?}{DAY}g;
        s{\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}(?:, \d{4})?}{DAY}g;
        s{datetime="[^"]*"}{datetime="TIME"}g;
        # durations an answer measured
        s{\b\d+(?:\.\d+)? ?(?:ms|µs|мс)\b}{DURATION}g;
        s{----helpdesk\d+}{BOUNDARY}g;
    }
    return $text;
}

# one answer, appended to the test's file
sub record {
    my ($method, $path, $res) = @_;
    return unless enabled();
    my $bare = $path =~ s{\?.*}{}r;
    return if $bare =~ $SKIP;

    my $type = $res->{headers}{'content-type'} // '';
    my $body = '';
    if ($res->{json}) {
        $body = $json->encode($res->{json});
        utf8::decode($body);
    } elsif ($type =~ m{^text/(?:html|plain)} && defined $res->{content}) {
        $body = $res->{content};
        utf8::decode($body) unless utf8::is_utf8($body);
    } elsif (defined $res->{content} && length $res->{content}) {
        $body = sprintf "(%s, %d bytes)", $type, length $res->{content};
    }

    my $name = basename($0) =~ s/\.t$//r;
    make_path($DIR);
    open my $fh, '>>:encoding(UTF-8)', "$DIR/$name.golden" or return;
    printf $fh "=== %d %s %s -> %s %s\n%s\n", ++$seq, $method, normalize($path),
           $res->{status}, $type =~ s/;.*//r, normalize($body);
    close $fh;
}

1;
