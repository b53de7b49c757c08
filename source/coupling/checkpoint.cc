#include <deal.II/base/utilities.h>

#include <imtsim/coupling/checkpoint.h>

#include <boost/crc.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace imtsim
{
namespace
{
volatile std::sig_atomic_t received_signal = 0;

extern "C" void
on_stop_signal(const int signal)
{
  if (received_signal != 0)
  {
    // The second signal: stop now, the default way.
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  received_signal = signal;
}

const char *const manifest_name   = "manifest";
const char *const manifest_header = "imtsim checkpoint 4";

/** Size and CRC-32 of a file. */
std::pair<std::uintmax_t, std::uint32_t>
size_and_crc(const std::filesystem::path &file)
{
  std::ifstream      in(file, std::ios::binary);
  boost::crc_32_type crc;
  std::vector<char>  buffer(1 << 20);
  std::uintmax_t     size = 0;
  while (in)
  {
    in.read(buffer.data(), buffer.size());
    const std::streamsize n = in.gcount();
    crc.process_bytes(buffer.data(), n);
    size += n;
  }
  return {size, crc.checksum()};
}

/** Flush a file or directory to the disk (best effort). */
void
sync(const std::filesystem::path &path)
{
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0)
  {
    ::fsync(fd);
    ::close(fd);
  }
}
} // namespace

void
install_stop_handlers()
{
  received_signal = 0;
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
}

int
stop_signal(const MPI_Comm comm)
{
  return Utilities::MPI::max(static_cast<int>(received_signal), comm);
}

std::string
signal_name(const int signal)
{
  switch (signal)
  {
  case SIGTERM:
    return "SIGTERM";
  case SIGINT:
    return "SIGINT";
  default:
    return "signal " + std::to_string(signal);
  }
}

namespace checkpoint_files
{
void
write_manifest(const std::string &directory)
{
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(directory))
    if (entry.is_regular_file() && entry.path().filename() != manifest_name)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::ostringstream manifest;
  manifest << manifest_header << '\n';
  for (const auto &file : files)
  {
    sync(file);
    const auto [size, crc] = size_and_crc(file);
    manifest << file.filename().string() << ' ' << size << ' ' << crc << '\n';
  }
  const fs::path path = fs::path(directory) / manifest_name;
  {
    std::ofstream out(path);
    out << manifest.str();
  }
  sync(path);
  sync(directory);
}

std::string
problem(const std::string &directory)
{
  namespace fs        = std::filesystem;
  const fs::path path = fs::path(directory) / manifest_name;
  std::ifstream  in(path);
  std::string    header;
  if (!in || !std::getline(in, header))
    return "it has no manifest (it was not completely written)";
  if (header.rfind("imtsim checkpoint ", 0) == 0 && header != manifest_header)
    return "it is in another format ('" + header + "'; this imtsim reads '" +
           std::string(manifest_header) +
           "', which also stores the mesh adaptation's locks of the current "
           "stage, each time step's stagnation error and each sweep step's): "
           "rerun from the start";
  if (header != manifest_header)
    return "its manifest does not start with '" + std::string(manifest_header) +
           "'";
  std::string    name;
  std::uintmax_t size;
  std::uint32_t  crc;
  unsigned int   n_files = 0;
  while (in >> name >> size >> crc)
  {
    ++n_files;
    const fs::path file = fs::path(directory) / name;
    if (!fs::is_regular_file(file))
      return "the file '" + name + "' is missing";
    const auto [actual_size, actual_crc] = size_and_crc(file);
    if (actual_size != size)
      return "the file '" + name + "' has " + std::to_string(actual_size) +
             " bytes instead of " + std::to_string(size) + " (truncated?)";
    if (actual_crc != crc)
      return "the file '" + name +
             "' does not match its checksum (it was modified or corrupted)";
  }
  if (!in.eof() || n_files == 0)
    return "its manifest is malformed";
  return "";
}

void
commit(const std::string &tmp, const std::string &directory)
{
  namespace fs          = std::filesystem;
  const fs::path latest = directory, previous = directory + ".previous";
  if (fs::exists(latest))
  {
    // Keep the latest as the previous one, unless it is damaged (a
    // damaged one would push out a good previous one).
    if (problem(directory).empty())
    {
      fs::remove_all(previous);
      fs::rename(latest, previous);
    }
    else
      fs::remove_all(latest);
  }
  fs::rename(tmp, latest);
  sync(latest.parent_path().empty() ? fs::path(".") : latest.parent_path());
}
} // namespace checkpoint_files
} // namespace imtsim
