"""The video pipeline: upload, transcoding to an HLS ladder, posters (issue: video). Not built yet."""
