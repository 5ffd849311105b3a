// The JSON form of a subject export's CSV bundle: the text of its manifest.json.
#include <nlohmann/json.hpp>

#include "crmkit/subject_export.hpp"

namespace crmkit {

std::string to_json(const SubjectExportManifest& manifest) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : manifest.files)
    files.push_back(nlohmann::json{{"table", f.table}, {"file", f.file}, {"rows", f.rows}});
  return nlohmann::json{
      {"format", "crmkit-subject-export-csv/1"}, {"customer_id", manifest.customer_id}, {"files", files}}
      .dump();
}

}  // namespace crmkit
