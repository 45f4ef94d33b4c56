#include "fuzz_docs.h"

#include "fuzz_common.h"

namespace opsflow::fuzz {

const std::vector<boost::json::value>& SampleDocs() {
  static const std::vector<boost::json::value> docs = [] {
    const char* texts[] = {
        R"({"_id":"65a1b2c3d4e5f60718293a4b","name":"Create VPC - AWS","status":"running",
            "description":"nightly","type":"automation","created":"2024-01-12T10:00:00.000Z",
            "last_updated":"2024-01-12T10:00:01.500Z","created_by":"admin",
            "metrics":{"start_time":1705053600000,"end_time":null,"progress":0.5,"user":"admin"},
            "variables":{"vpcName":"main","cidr":"10.0.0.0/16","count":3,"tags":["a","b"],
                         "flags":{"dry":true}},
            "error":[],"watchers":["65a1b2c3d4e5f60718293a4c"],"groups":[],
            "tasks":{"workflow_start":{"status":"complete"},"1a2b":{"status":"error",
                     "iterations":["0b9c7f1e-1111-4c2b-9d3e-123456789abc"]}}})",
        R"({"_id":"65a1b2c3d4e5f60718293a4d","name":"Delete Subnets","status":"complete",
            "metrics":{"start_time":1705053000000,"end_time":1705053999999,"progress":1},
            "created":"2023-12-31T23:59:59Z","variables":{},"error":[{"task":"job",
            "message":{"code":500,"message":"boom"},"timestamp":1705053999000}]})",
        R"({"_id":"0b9c7f1e-1111-4c2b-9d3e-123456789abc","job":{"_id":"65a1b2c3d4e5f60718293a4b",
            "task":"1a2b"},"name":"query","type":"automatic","status":"complete",
            "metrics":{"start_time":"2024-01-12T10:00:00.250Z","end_time":1705053600400,
                       "finish_state":"success","run_time":150},
            "variables":{"incoming":{"query":"a.b","obj":{"a":{"b":1}}},
                         "outgoing":{"return_data":1}}})",
        R"({})",
        R"({"status":null,"metrics":[],"name":"","tasks":[{"status":"x"},{"status":7},[1,[2]]],
            "n":-0.0,"big":18446744073709551615,"neg":-9223372036854775808,"f":1.5e300,
            "t":true,"when":"1970-01-01T00:00:00Z","odd.key":{"x":1}})",
        R"([1,"two",null,{"a":[]}])",
        R"("just a string")",
        R"(42)",
    };
    std::vector<boost::json::value> out;
    for (const char* t : texts) out.push_back(Fixture(t));
    return out;
  }();
  return docs;
}

}  // namespace opsflow::fuzz
