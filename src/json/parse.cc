#include "json/parse.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <string>

namespace opsflow::json {
namespace bj = boost::json;
namespace {

// A handler for boost::json::basic_parser that builds a value with a value_stack and reads
// doubles from their text with std::from_chars (Boost 1.81's own conversion is inexact).
class ExactHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bj::value_stack st;
  std::string num;
  std::string str;
  std::string key;
  bool nonfinite = false;

  bool on_document_begin(bj::error_code&) {
    st.reset();
    return true;
  }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) { return true; }
  bool on_object_end(std::size_t n, bj::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(bj::error_code&) { return true; }
  bool on_array_end(std::size_t n, bj::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code&) {
    key.append(s.data(), s.size());
    st.push_key(key);
    key.clear();
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, bj::error_code&) {
    str.append(s.data(), s.size());
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, bj::error_code&) {
    str.append(s.data(), s.size());
    st.push_string(str);
    str.clear();
    return true;
  }
  bool on_number_part(bj::string_view s, bj::error_code&) {
    num.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, bj::string_view, bj::error_code&) {
    num.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, bj::string_view, bj::error_code&) {
    num.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, bj::string_view s, bj::error_code& ec) {
    num.append(s.data(), s.size());
    double exact = d;
    auto res = std::from_chars(num.data(), num.data() + num.size(), exact);
    num.clear();
    if (res.ec == std::errc::result_out_of_range || !std::isfinite(exact)) {
      // Tiny numbers underflow to zero harmlessly; huge ones are not representable.
      if (std::isinf(d) || std::fabs(d) > 1.0) {
        nonfinite = true;
        ec = bj::error::exponent_overflow;
        return false;
      }
      exact = d;
    }
    st.push_double(exact);
    return true;
  }
  bool on_bool(bool b, bj::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(bj::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }
};

}  // namespace

base::Result<bj::value> Parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return base::ResourceExhausted("JSON document of " + std::to_string(text.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(limits.max_bytes) + " bytes");
  }
  bj::parse_options opt;
  opt.max_depth = limits.max_depth;
  opt.allow_invalid_utf8 = false;
  bj::basic_parser<ExactHandler> p(opt);
  bj::error_code ec;
  std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = bj::error::extra_data;
  if (ec) {
    std::string what = ec.message();
    if (ec == bj::error::too_deep) {
      return base::InvalidArgument("JSON nesting is deeper than the limit of " +
                                   std::to_string(limits.max_depth) + " levels");
    }
    if (p.handler().nonfinite) what = "number out of range (not a finite double)";
    if (ec == bj::error::syntax && text.empty()) what = "empty body";
    return base::InvalidArgument("malformed JSON at byte " + std::to_string(n) + ": " + what);
  }
  return p.handler().st.release();
}

std::string Serialize(const bj::value& v) { return bj::serialize(v); }

}  // namespace opsflow::json
