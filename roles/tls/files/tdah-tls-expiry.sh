#!/bin/sh
# Export the validity of every certificate in a directory for
# node_exporter's textfile collector. Reads the files themselves, so the
# metrics stay true whether or not renewal ran.
# Usage: tdah-tls-expiry CERT_DIR TEXTFILE_DIR
#        tdah-tls-expiry --renewal-succeeded TEXTFILE_DIR
#          (run by the renewal service after a successful run)
set -eu

if [ "${1:-}" = --renewal-succeeded ]; then
    out_dir=${2:?usage: tdah-tls-expiry --renewal-succeeded TEXTFILE_DIR}
    tmp=$(mktemp "$out_dir/.tdah_tls_renewal.prom.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    {
        echo '# HELP tdah_tls_renewal_last_success_timestamp_seconds Time the certificate renewal run last succeeded.'
        echo '# TYPE tdah_tls_renewal_last_success_timestamp_seconds gauge'
        echo "tdah_tls_renewal_last_success_timestamp_seconds $(date -u +%s)"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$out_dir/tdah_tls_renewal.prom"
    trap - EXIT
    exit 0
fi

cert_dir=${1:?usage: tdah-tls-expiry CERT_DIR TEXTFILE_DIR}
out_dir=${2:?usage: tdah-tls-expiry CERT_DIR TEXTFILE_DIR}
out="$out_dir/tdah_tls.prom"
tmp=$(mktemp "$out_dir/.tdah_tls.prom.XXXXXX")
trap 'rm -f "$tmp"' EXIT

epoch() {
    date -u -d "$1" +%s
}

{
    echo '# HELP tdah_tls_certificate_not_after_timestamp_seconds Time a managed certificate expires.'
    echo '# TYPE tdah_tls_certificate_not_after_timestamp_seconds gauge'
    echo '# HELP tdah_tls_certificate_not_before_timestamp_seconds Time a managed certificate became valid.'
    echo '# TYPE tdah_tls_certificate_not_before_timestamp_seconds gauge'
    echo '# HELP tdah_tls_certificate_readable 1 when the certificate file could be read and parsed.'
    echo '# TYPE tdah_tls_certificate_readable gauge'
    for crt in "$cert_dir"/*.crt; do
        [ -e "$crt" ] || continue
        name=$(basename "$crt" .crt)
        labels="name=\"$name\",path=\"$crt\""
        if dates=$(openssl x509 -noout -startdate -enddate -in "$crt" 2>/dev/null); then
            start=$(printf '%s\n' "$dates" | sed -n 's/^notBefore=//p')
            end=$(printf '%s\n' "$dates" | sed -n 's/^notAfter=//p')
            echo "tdah_tls_certificate_not_after_timestamp_seconds{$labels} $(epoch "$end")"
            echo "tdah_tls_certificate_not_before_timestamp_seconds{$labels} $(epoch "$start")"
            echo "tdah_tls_certificate_readable{$labels} 1"
        else
            echo "tdah_tls_certificate_readable{$labels} 0"
        fi
    done
    echo '# HELP tdah_tls_metrics_last_run_timestamp_seconds Time the certificate metrics were last written.'
    echo '# TYPE tdah_tls_metrics_last_run_timestamp_seconds gauge'
    echo "tdah_tls_metrics_last_run_timestamp_seconds $(date -u +%s)"
} >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
