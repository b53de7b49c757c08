#ifndef imtsim_postprocessing_atomic_file_h
#define imtsim_postprocessing_atomic_file_h

#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

namespace imtsim
{
/**
 * Write @p filename through @p write into <filename>.tmp and rename it, so
 * that a reader (or a run killed meanwhile) never leaves a half-written
 * file under the name.
 */
inline void
write_atomically(const std::string                         &filename,
                 const std::function<void(std::ostream &)> &write)
{
  const std::string tmp = filename + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    write(out);
    out.flush();
    if (!out)
      throw std::runtime_error("cannot write '" + filename + "'");
  }
  std::filesystem::rename(tmp, filename);
}
} // namespace imtsim

#endif
