#include "server/photo_thumbnail.hpp"

// libjpeg's headers need FILE and size_t declared first.
#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace civicline::server {
namespace {

constexpr int thumbnail_quality = 80;

/// Pixels as 8-bit RGB, row after row.
struct rgb_image {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> pixels;
};

/// libjpeg reports errors by calling error_exit, which must not return: jump back to the
/// decoder's or encoder's setjmp. Nothing with a destructor lives between the two.
struct jpeg_error {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

void on_jpeg_error(j_common_ptr info) {
  auto* error = reinterpret_cast<jpeg_error*>(info->err);
  std::longjmp(error->jump, 1);
}

void ignore_jpeg_message(j_common_ptr, int) {}

/// Decodes a JPEG, letting libjpeg scale by 1/2, 1/4 or 1/8 while it decodes (cheap) so the
/// result is still at least `max_side` on its longer side when the photo is that large.
bool decode_jpeg(std::string_view bytes, int max_side, rgb_image& out, std::string& problem) {
  jpeg_decompress_struct info{};
  jpeg_error error{};
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = on_jpeg_error;
  error.manager.emit_message = ignore_jpeg_message;
  unsigned char* row = nullptr;
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&info);
    problem = "The photo is not a readable JPEG.";
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  if (static_cast<std::uint64_t>(info.image_width) * info.image_height > max_photo_pixels) {
    jpeg_destroy_decompress(&info);
    problem = "The photo has too many pixels.";
    return false;
  }
  info.out_color_space = JCS_RGB;
  info.scale_num = 1;
  info.scale_denom = 1;
  const unsigned longer = std::max(info.image_width, info.image_height);
  while (info.scale_denom < 8 &&
         longer / (info.scale_denom * 2) >= static_cast<unsigned>(max_side)) {
    info.scale_denom *= 2;
  }
  jpeg_start_decompress(&info);
  out.width = static_cast<int>(info.output_width);
  out.height = static_cast<int>(info.output_height);
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  while (info.output_scanline < info.output_height) {
    row = out.pixels.data() + static_cast<std::size_t>(info.output_scanline) * out.width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

bool decode_png(std::string_view bytes, rgb_image& out, std::string& problem) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
    problem = "The photo is not a readable PNG.";
    return false;
  }
  if (static_cast<std::uint64_t>(image.width) * image.height > max_photo_pixels) {
    png_image_free(&image);
    problem = "The photo has too many pixels.";
    return false;
  }
  image.format = PNG_FORMAT_RGB;  // transparency is composed onto the background below
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  png_color white{255, 255, 255};
  if (png_image_finish_read(&image, &white, out.pixels.data(), 0, nullptr) == 0) {
    png_image_free(&image);
    problem = "The photo is not a readable PNG.";
    return false;
  }
  return true;
}

/// Scales down by averaging the source pixels under each target pixel (a box filter).
rgb_image shrink(const rgb_image& in, int max_side) {
  const int longer = std::max(in.width, in.height);
  if (longer <= max_side) {
    return in;
  }
  rgb_image out;
  out.width = std::max(1, static_cast<int>(static_cast<long long>(in.width) * max_side / longer));
  out.height = std::max(1, static_cast<int>(static_cast<long long>(in.height) * max_side / longer));
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    const int y0 = static_cast<int>(static_cast<long long>(y) * in.height / out.height);
    const int y1 =
        std::max(y0 + 1, static_cast<int>(static_cast<long long>(y + 1) * in.height / out.height));
    for (int x = 0; x < out.width; ++x) {
      const int x0 = static_cast<int>(static_cast<long long>(x) * in.width / out.width);
      const int x1 =
          std::max(x0 + 1, static_cast<int>(static_cast<long long>(x + 1) * in.width / out.width));
      unsigned long sum[3] = {0, 0, 0};
      for (int sy = y0; sy < y1; ++sy) {
        const unsigned char* p =
            in.pixels.data() + (static_cast<std::size_t>(sy) * in.width + x0) * 3;
        for (int sx = x0; sx < x1; ++sx, p += 3) {
          sum[0] += p[0];
          sum[1] += p[1];
          sum[2] += p[2];
        }
      }
      const unsigned long count = static_cast<unsigned long>(y1 - y0) * (x1 - x0);
      unsigned char* q = out.pixels.data() + (static_cast<std::size_t>(y) * out.width + x) * 3;
      for (int c = 0; c < 3; ++c) {
        q[c] = static_cast<unsigned char>(sum[c] / count);
      }
    }
  }
  return out;
}

/// A baseline JPEG with only the JFIF header: no EXIF, XMP or ICC segment is ever written.
std::string encode_jpeg(const rgb_image& image) {
  jpeg_compress_struct info{};
  jpeg_error error{};
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = on_jpeg_error;
  error.manager.emit_message = ignore_jpeg_message;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_compress(&info);
    std::free(buffer);
    return "";
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(image.width);
  info.image_height = static_cast<JDIMENSION>(image.height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, thumbnail_quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    auto* row = const_cast<unsigned char*>(image.pixels.data()) +
                static_cast<std::size_t>(info.next_scanline) * image.width * 3;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

}  // namespace

thumbnail_result make_thumbnail(std::string_view bytes, core::photo_type type, int max_side) {
  thumbnail_result result;
  rgb_image image;
  bool decoded = false;
  if (type == core::photo_type::jpeg) {
    decoded = decode_jpeg(bytes, max_side, image, result.problem);
  } else if (type == core::photo_type::png) {
    decoded = decode_png(bytes, image, result.problem);
  } else {
    result.problem = "HEIC photos get no public thumbnail.";
  }
  if (!decoded) {
    return result;
  }
  result.jpeg = encode_jpeg(shrink(image, max_side));
  if (result.jpeg.empty()) {
    result.problem = "The thumbnail could not be made.";
  }
  return result;
}

}  // namespace civicline::server
