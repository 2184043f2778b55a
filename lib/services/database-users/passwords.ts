// Password verifiers made in the admin, so the typed password never leaves it: the server receives the
// form it stores itself, and a client proves the password against that.
//   MariaDB   mysql_native_password: "*" + uppercase hex of SHA1(SHA1(password))
//   PostgreSQL SCRAM-SHA-256 (RFC 5802/7677), as pg stores it:
//             SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64)
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

export const MARIADB_HASH = /^\*[0-9A-F]{40}$/;
export const SCRAM_VERIFIER = /^SCRAM-SHA-256\$[1-9][0-9]{3,6}:[A-Za-z0-9+/]{4,88}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;

export function mariadbNativeHash(password: string): string {
  const sha1 = (data: Buffer) => createHash("sha1").update(data).digest();
  return `*${sha1(sha1(Buffer.from(password, "utf8"))).toString("hex").toUpperCase()}`;
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(Buffer.from(saslprep(password), "utf8"), salt, iterations, 32, "sha256");
  const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

// SASLprep (RFC 4013) as PostgreSQL applies it before SCRAM (src/common/saslprep.c): ASCII passes as
// it is; otherwise non-ASCII spaces become spaces, "mapped to nothing" characters go, NFKC; a result
// with prohibited characters, or mixing right-to-left and left-to-right letters, is not prepared and
// the password is used as typed. (Unicode 3.2's unassigned code points are not checked here: a
// password containing one may not verify.)
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const PROHIBITED =
  /[\u0000-\u001F\u007F-\u009F\u00A0\u0340\u0341\u06DD\u070F\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2063\u206A-\u206F\u2FF0-\u2FFB\u3000\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFEFF\uFFF9-\uFFFF]|[\u{1D173}-\u{1D17A}\u{E0001}\u{E0020}-\u{E007F}\u{F0000}-\u{10FFFF}]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}]/u;
const RIGHT_TO_LEFT = /[\u05BE\u05C0\u05C3\u05D0-\u05F4\u061B\u061F\u0621-\u064A\u066D-\u06D5\u06E5\u06E6\u06FA-\u06FE\u0700-\u070D\u0710-\u072C\u0780-\u07A5\u07B1\u200F\uFB1D-\uFB4F\uFB50-\uFDFD\uFE70-\uFEFC]/u;
const LEFT_TO_RIGHT = /[A-Za-z\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u0220\u0222-\u02B8\u0370-\u03FF\u0400-\u0482\u048A-\u052F\u0531-\u0589\u0900-\u0DFF\u0E00-\u0E3A\u0E40-\u0FFF\u1000-\u1FFF\u3040-\u9FFF\uAC00-\uD7A3]/u;

export function saslprep(password: string): string {
  if (/^[\u0000-\u007F]*$/.test(password)) return password;
  const prepared = password.replace(NON_ASCII_SPACE, " ").replace(MAPPED_TO_NOTHING, "").normalize("NFKC");
  if (PROHIBITED.test(prepared)) return password;
  if (RIGHT_TO_LEFT.test(prepared)) {
    const chars = [...prepared];
    if (LEFT_TO_RIGHT.test(prepared) || !RIGHT_TO_LEFT.test(chars[0]) || !RIGHT_TO_LEFT.test(chars[chars.length - 1])) return password;
  }
  return prepared;
}
