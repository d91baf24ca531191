// Turns what can go wrong towards a service into a stable FigwayError (502 or 504).
import { FigwayError } from '../errors.js';

/**
 * The FigwayError for an error raised while proxying to `upstream`: timeouts are 504, invalid HTTP,
 * a failed TLS handshake (with its reason) and every other connection failure (refused, DNS,
 * reset) are 502.
 */
export function toUpstreamError(err: unknown, upstream: string): FigwayError {
  if (err instanceof FigwayError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const text = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  if (code === 'ETIMEDOUT') return new FigwayError('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', `${upstream} accepted no connection (${text})`, { cause: err });
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    return new FigwayError('FIGWAY_UPSTREAM_BAD_RESPONSE', `${upstream} answered with invalid HTTP (${text})`, { cause: err });
  }
  const tls = typeof code === 'string' ? tlsReason(code) : undefined;
  if (tls) return new FigwayError('FIGWAY_UPSTREAM_TLS', `TLS with ${upstream} failed: ${tls} (${text})`, { cause: err });
  return new FigwayError('FIGWAY_UPSTREAM_UNAVAILABLE', `${upstream} is unavailable (${text})`, { cause: err });
}

// OpenSSL's verification results and Node's own, as Node reports them in `err.code`.
const CERTIFICATE_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: "the service's certificate has expired",
  CERT_NOT_YET_VALID: "the service's certificate is not valid yet",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the service's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the service's certificate chain ends in a CA that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the service's certificate was issued by an unknown CA",
  UNABLE_TO_GET_ISSUER_CERT: "the service's certificate was issued by an unknown CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the service's certificate was issued by an unknown CA",
  CERT_SIGNATURE_FAILURE: "the service's certificate signature is invalid",
  CERT_REVOKED: "the service's certificate is revoked",
  CERT_UNTRUSTED: "the service's certificate is not trusted",
  CERT_REJECTED: "the service's certificate is rejected",
  ERR_TLS_CERT_ALTNAME_INVALID: "the service's certificate is for another host",
};

// Every other result of OpenSSL's certificate verification Node reports (its docs' "X509 certificate error codes").
const OTHER_VERIFICATION_CODES = new Set([
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CRL_SIGNATURE_FAILURE',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
]);

/** Why a TLS handshake failed, in words, or undefined when `code` is not about TLS. */
export function tlsReason(code: string): string | undefined {
  const reason = CERTIFICATE_REASONS[code];
  if (reason) return reason;
  if (OTHER_VERIFICATION_CODES.has(code)) return "the service's certificate did not pass verification";
  // Alerts the service sent about the certificate figway presented (or did not).
  if (/^ERR_SSL_.*ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)$/.test(code)) {
    return 'the service refused the client certificate (or its absence)';
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'the TLS handshake failed';
  return undefined;
}
