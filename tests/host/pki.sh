# Sourced by the --web-config tests (tests/host/web-config.sh, tests/vm/test-deb.sh):
# a throwaway PKI and a bcrypt user, made the same way for both.

# test_pki CA_DIR SERVER_DIR: a CA (CA_DIR/ca.crt, ca.key) and a server certificate for
# 127.0.0.1 signed by it (SERVER_DIR/server.crt, server.key), valid for 2 days. The
# request and its extension file stay in CA_DIR. Fails when openssl does.
test_pki() {
	local ca=$1 srv=$2
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=smccctrace-test-ca \
		-keyout "$ca/ca.key" -out "$ca/ca.crt" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$srv/server.key" \
		-out "$ca/server.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$ca/san.ext" &&
	openssl x509 -req -in "$ca/server.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial \
		-days 2 -extfile "$ca/san.ext" -out "$srv/server.crt" 2>/dev/null
}

# bcrypt_user PASSWORD ROUNDS: prints PASSWORD's bcrypt hash as htpasswd -B and
# exporter-toolkit's docs write it ($2y$; Python's crypt writes the same hash as $2b$).
# ROUNDS is the cost as a number of rounds (16 = cost 4, 1024 = cost 10).
bcrypt_user() {
	local hash
	hash=$(python3 -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=int(sys.argv[2]))))' "$1" "$2") &&
	printf '$2y$%s\n' "${hash#\$2b\$}"
}
