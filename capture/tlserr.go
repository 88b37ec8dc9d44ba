package capture

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// isTLSFailure reports whether err comes from a TLS handshake that failed for a reason of
// TLS itself: a certificate the verifier refused (any x509 verification error, or the tls
// package's wrapper of one), an alert from the server, or a peer that does not speak TLS
// on that port. Classify names these CauseTLS.
func isTLSFailure(err error) bool {
	var (
		verifyErr *tls.CertificateVerificationError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		echErr    *tls.ECHRejectionError
		unknown   x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		rootsErr  x509.SystemRootsError
		constErr  x509.ConstraintViolationError
		insecure  x509.InsecureAlgorithmError
	)
	return errors.As(err, &verifyErr) || errors.As(err, &recErr) || errors.As(err, &alertErr) ||
		errors.As(err, &echErr) || errors.As(err, &unknown) || errors.As(err, &hostErr) ||
		errors.As(err, &invalid) || errors.As(err, &rootsErr) || errors.As(err, &constErr) ||
		errors.As(err, &insecure)
}
