#include "service/timestamp.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/URI.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <sstream>

#include "core/c_handle.h"

namespace charta::service {

namespace {

using core::CFree;
using ReqPtr = std::unique_ptr<TS_REQ, CFree<TS_REQ_free>>;
using RespPtr = std::unique_ptr<TS_RESP, CFree<TS_RESP_free>>;
using VerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, CFree<TS_VERIFY_CTX_free>>;
using ImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, CFree<TS_MSG_IMPRINT_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, CFree<X509_ALGOR_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, CFree<ASN1_INTEGER_free>>;
using StorePtr = std::unique_ptr<X509_STORE, CFree<X509_STORE_free>>;

constexpr std::size_t kMaxResponse = 64 * 1024;

// OpenSSL's error queue of this thread as one line, emptied.
std::string sslErrors() {
  std::string out;
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

std::string sha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw TimestampError("SHA-256 failed: " + sslErrors());
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

// A request for a token over "digest" (SHA-256) with a random nonce and the TSA's certificate.
ReqPtr makeRequest(const std::string& digest) {
  ReqPtr req(TS_REQ_new());
  AlgorPtr algo(X509_ALGOR_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  IntegerPtr nonce(ASN1_INTEGER_new());
  std::uint64_t random = 0;
  bool ok = req && algo && imprint && nonce &&
            RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof random) == 1 &&
            X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
            TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) == 1 &&
            TS_MSG_IMPRINT_set_msg(
                imprint.get(), reinterpret_cast<unsigned char*>(const_cast<char*>(digest.data())),
                static_cast<int>(digest.size())) == 1 &&
            TS_REQ_set_version(req.get(), 1) == 1 &&
            TS_REQ_set_msg_imprint(req.get(), imprint.get()) == 1 &&
            ASN1_INTEGER_set_uint64(nonce.get(), random >> 1) == 1 &&
            TS_REQ_set_nonce(req.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(req.get(), 1) == 1;
  if (!ok) throw TimestampError("building the time-stamp request failed: " + sslErrors());
  return req;
}

std::string derOf(TS_REQ* req) {
  unsigned char* der = nullptr;
  int len = i2d_TS_REQ(req, &der);
  if (len <= 0) throw TimestampError("encoding the time-stamp request failed: " + sslErrors());
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

RespPtr parseResponse(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  RespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (!resp) throw TimestampError("the answer is not a time-stamp response: " + sslErrors());
  return resp;
}

// Trusts the CAs of "caFile" for the signature; nothing when it is empty.
void trust(TS_VERIFY_CTX* ctx, const std::string& caFile) {
  if (caFile.empty()) return;
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), caFile.c_str()) != 1) {
    throw TimestampError("cannot load the CAs of " + caFile + ": " + sslErrors());
  }
  TS_VERIFY_CTX_set_store(ctx, store.release());  // owned by ctx now
  TS_VERIFY_CTX_add_flags(ctx, TS_VFY_SIGNATURE);
}

std::optional<core::Instant> genTime(TS_RESP* resp) {
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp);
  const ASN1_GENERALIZEDTIME* t = info ? TS_TST_INFO_get_time(info) : nullptr;
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return core::fromUnixSeconds(timegm(&tm));
}

bool sha256Imprint(TS_RESP* resp) {
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp);
  TS_MSG_IMPRINT* imprint = info ? TS_TST_INFO_get_msg_imprint(info) : nullptr;
  X509_ALGOR* algo = imprint ? TS_MSG_IMPRINT_get_algo(imprint) : nullptr;
  return algo && OBJ_obj2nid(algo->algorithm) == NID_sha256;
}

std::string post(const std::string& url, const std::string& body,
                 std::chrono::milliseconds timeout) {
  Poco::URI uri(url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
  } else if (uri.getScheme() == "http") {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  } else {
    throw TimestampError("ledger.tsa_url must be an http:// or https:// URL");
  }
  session->setTimeout(Poco::Timespan(timeout.count() * 1000));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST,
                             uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/timestamp-query");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  req.set("Accept", "application/timestamp-reply");
  req.setKeepAlive(false);
  session->sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session->receiveResponse(resp);
  std::string out;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > kMaxResponse) throw TimestampError("the TSA's answer is too large");
  }
  if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    throw TimestampError("the TSA answered " + std::to_string(resp.getStatus()));
  }
  return out;
}

}  // namespace

std::string requestTimestamp(const std::string& url, std::string_view bytes,
                             std::chrono::milliseconds timeout, const std::string& caFile) {
  ERR_clear_error();
  const std::string digest = sha256(bytes);
  ReqPtr req = makeRequest(digest);
  std::string answer;
  try {
    answer = post(url, derOf(req.get()), timeout);
  } catch (const Poco::Exception& e) {
    throw TimestampError("the TSA cannot be reached: " + e.displayText());
  }
  RespPtr resp = parseResponse(answer);
  VerifyCtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));  // imprint, nonce, version
  if (!ctx) throw TimestampError("checking the time stamp failed: " + sslErrors());
  trust(ctx.get(), caFile);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    throw TimestampError("the TSA's answer is not a token over the anchor: " + sslErrors());
  }
  return answer;
}

TimestampCheck checkTimestamp(std::string_view response, std::string_view bytes,
                              const std::string& caFile) {
  TimestampCheck out;
  ERR_clear_error();
  try {
    RespPtr resp = parseResponse(response);
    out.time = genTime(resp.get());
    if (!sha256Imprint(resp.get())) throw TimestampError("the token's imprint is not SHA-256");
    VerifyCtxPtr ctx(TS_VERIFY_CTX_new());
    const std::string digest = sha256(bytes);
    auto* imprint = static_cast<unsigned char*>(OPENSSL_malloc(digest.size()));
    if (!ctx || !imprint) throw TimestampError("out of memory");
    std::memcpy(imprint, digest.data(), digest.size());
    TS_VERIFY_CTX_set_imprint(ctx.get(), imprint, static_cast<long>(digest.size()));  // owns it
    TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT);
    trust(ctx.get(), caFile);
    out.signatureChecked = !caFile.empty();
    if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
      throw TimestampError("the token does not match anchor.json or its signer: " + sslErrors());
    }
    out.ok = true;
  } catch (const TimestampError& e) {
    out.detail = e.what();
  }
  return out;
}

}  // namespace charta::service
